# `cpack` (in the build directory) -> kvmscope_<version>_<arch>.deb there.
# The architecture is the one kvmscope was built for, not the build
# machine's: the aarch64-static preset makes an arm64 package on x86_64.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME kvmscope)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "kvmscope")
set(KVMSCOPE_MAINTAINER "kvmscope maintainers <maintainers@users.noreply.r-seed-4c55affd.example>"
    CACHE STRING "the Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT ${KVMSCOPE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${KVMSCOPE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "measure what a KVM virtualization backend costs")
# the long description: lines under 80 columns (CPack indents them for control)
string(JOIN "\n" CPACK_PACKAGE_DESCRIPTION
  "kvmscope runs tiny bare-metal micro-guests through /dev/kvm and times"
  "exits, hypercalls, interrupt delivery and memory fault-in, from inside"
  "the guest and from the host. It detects the backend (VMX, SVM, PVM;"
  "native arm64 KVM in VHE, nVHE or protected mode, or KVM-on-Gunyah),"
  "cross-checks exit counts against KVM's own statistics, counts host perf"
  "events, attaches eBPF or tracefs probes, and writes every raw sample to"
  "a JSON results file."
  ""
  "Built from commit ${KVMSCOPE_GIT}.")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # kvmscope_0.1.0_arm64.deb
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)                        # debug info stays in the build tree
if(KVMSCOPE_ARCH STREQUAL "arm64")
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE arm64)
else()
  set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
endif()
if(KVMSCOPE_STATIC)
  # statically linked: it depends on no shared library
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
else()
  # Depends from the libraries the binary really links (libc6, libtracefs1, ...)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "groff-base")   # man
include(CPack)
