# The eBPF probe backend (included by bpf/CMakeLists.txt): each probe's
# CO-RE programs (bpf/probes/X.bpf.c, for X in KS_PROBES) compiled with
# clang -target bpf, embedded as a bpftool skeleton in its descriptor
# (bpf/probes/X.c: KS_BPF_SKEL_H), loaded by probe_bpf.c through libbpf,
# linked from static archives so the same ks_probe serves kvmscope and the
# fully static kvmscope-static.
#
# Never fails the configure: when something is missing, KS_BPF_WHY says what
# and bpf/CMakeLists.txt builds stubs.c, whose usable() gives that reason.
#
#   KVMSCOPE_BPF=OFF                skip the backend (stub)
#   KVMSCOPE_BPF_VMLINUX_H=<file>   use this vmlinux.h instead of generating one
#                                   from the build machine's /sys/kernel/btf/vmlinux
#                                   ("minimal": the checked-in fallback)
#
# arm64 (cross) builds compile the same programs with -D__TARGET_ARCH_arm64
# against the minimal header (the build machine's BTF describes the build
# machine's kernel, not an arm64 one: CO-RE relocates against the target's
# BTF at load anyway), with the host's clang and bpftool (skeletons are
# arch-neutral C), and link the arm64 libbpf.a/libelf.a/libz.a found in
# CMAKE_FIND_ROOT_PATH (scripts/deps-arm64.sh unpacks them there).
option(KVMSCOPE_BPF "Build the eBPF probe backend when its tools are present" ON)
set(KVMSCOPE_BPF_VMLINUX_H "" CACHE STRING
    "vmlinux.h for the BPF programs (empty: generate from /sys/kernel/btf/vmlinux)")

set(_ks_bpf_src ${CMAKE_CURRENT_SOURCE_DIR})
set(_ks_bpf_out ${CMAKE_CURRENT_BINARY_DIR}/bpf-gen)
set(_ks_bpf_programs "")   # the probes with a BPF program
foreach(_p IN LISTS KS_PROBES)
  if(EXISTS ${_ks_bpf_src}/probes/${_p}.bpf.c)
    list(APPEND _ks_bpf_programs ${_p})
  endif()
endforeach()
set(_ks_bpf_why "")

if(NOT KVMSCOPE_BPF)
  set(_ks_bpf_why "kvmscope was built with KVMSCOPE_BPF=OFF")
elseif(KVMSCOPE_ARCH STREQUAL "arm64")
  set(_ks_bpf_arch arm64)
elseif(KVMSCOPE_ARCH STREQUAL "x86_64")
  set(_ks_bpf_arch x86)
else()
  set(_ks_bpf_why "no BPF build for ${KVMSCOPE_ARCH}")
endif()

if(NOT _ks_bpf_why)
  find_program(KS_CLANG NAMES clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14)
  find_program(KS_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin /usr/local/sbin)
  # (cross builds: CMAKE_FIND_ROOT_PATH_MODE_INCLUDE/LIBRARY ONLY keep these
  # in the target sysroot; clang and bpftool are the host's)
  find_path(KS_LIBBPF_INCLUDE_DIR bpf/libbpf.h)
  find_library(KS_LIBBPF_A NAMES libbpf.a)
  find_library(KS_LIBELF_A NAMES libelf.a)
  find_library(KS_LIBZ_A NAMES libz.a)
  find_library(KS_LIBZSTD_A NAMES libzstd.a)
  set(_missing "")
  if(NOT KS_CLANG)
    list(APPEND _missing "clang")
  endif()
  if(NOT KS_BPFTOOL)
    list(APPEND _missing "bpftool")
  endif()
  if(NOT KS_LIBBPF_INCLUDE_DIR OR NOT KS_LIBBPF_A)
    list(APPEND _missing "libbpf-dev (libbpf.a)")
  endif()
  if(NOT KS_LIBELF_A)
    list(APPEND _missing "libelf-dev (libelf.a)")
  endif()
  if(NOT KS_LIBZ_A)
    list(APPEND _missing "zlib1g-dev (libz.a)")
  endif()
  if(_missing)
    string(REPLACE ";" ", " _missing "${_missing}")
    if(CMAKE_CROSSCOMPILING)
      set(_ks_bpf_why "kvmscope was built without the BPF backend: missing ${_missing} at build time (host: apt-get install clang llvm bpftool; target archives: scripts/deps-arm64.sh)")
    else()
      set(_ks_bpf_why "kvmscope was built without the BPF backend: missing ${_missing} at build time (apt-get install clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev)")
    endif()
  endif()
endif()

# libbpf.a needs libelf.a and libz.a (and libzstd.a when libelf was built with
# zstd): prove a fully static link works before relying on it.
if(NOT _ks_bpf_why)
  include(CheckCSourceCompiles)
  include(CMakePushCheckState)
  set(_ks_bpf_static_libs ${KS_LIBBPF_A} ${KS_LIBELF_A} ${KS_LIBZ_A})
  set(_probe_src "
#include <bpf/libbpf.h>
#include <libelf.h>
int main(void) { struct bpf_object *o = bpf_object__open_mem(\"\", 0, 0);
  bpf_object__close(o); return elf_version(EV_CURRENT) == EV_NONE; }")
  cmake_push_check_state(RESET)
  set(CMAKE_REQUIRED_QUIET ON)
  set(CMAKE_REQUIRED_INCLUDES ${KS_LIBBPF_INCLUDE_DIR})
  set(CMAKE_REQUIRED_LINK_OPTIONS -static)
  set(CMAKE_REQUIRED_LIBRARIES ${_ks_bpf_static_libs})
  check_c_source_compiles("${_probe_src}" KS_LIBBPF_STATIC_LINKS)
  if(NOT KS_LIBBPF_STATIC_LINKS AND KS_LIBZSTD_A)
    list(APPEND _ks_bpf_static_libs ${KS_LIBZSTD_A})
    set(CMAKE_REQUIRED_LIBRARIES ${_ks_bpf_static_libs})
    check_c_source_compiles("${_probe_src}" KS_LIBBPF_STATIC_LINKS_ZSTD)
  endif()
  cmake_pop_check_state()
  if(NOT KS_LIBBPF_STATIC_LINKS AND NOT KS_LIBBPF_STATIC_LINKS_ZSTD)
    set(_ks_bpf_why "kvmscope was built without the BPF backend: a static link of libbpf.a + libelf.a + libz.a failed at build time (libzstd.a needed? apt-get install libzstd-dev)")
  endif()
endif()

if(_ks_bpf_why)
  message(STATUS "kvmscope BPF backend: stub (${_ks_bpf_why})")
  set(KS_BPF_WHY "${_ks_bpf_why}")
  return()
endif()

# ---- vmlinux.h: generated from this machine's BTF, else the fallback
file(MAKE_DIRECTORY ${_ks_bpf_out})
if(NOT KVMSCOPE_BPF_VMLINUX_H AND (CMAKE_CROSSCOMPILING OR NOT _ks_bpf_arch STREQUAL "x86"))
  # this machine's /sys/kernel/btf/vmlinux is not the target's kernel
  set(KVMSCOPE_BPF_VMLINUX_H minimal)
endif()
if(KVMSCOPE_BPF_VMLINUX_H STREQUAL "minimal")
  set(KVMSCOPE_BPF_VMLINUX_H ${_ks_bpf_src}/vmlinux/vmlinux_minimal.h)
endif()
if(KVMSCOPE_BPF_VMLINUX_H)
  set(_vmlinux_how "${KVMSCOPE_BPF_VMLINUX_H}")
  add_custom_command(OUTPUT ${_ks_bpf_out}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E copy ${KVMSCOPE_BPF_VMLINUX_H} ${_ks_bpf_out}/vmlinux.h
    DEPENDS ${KVMSCOPE_BPF_VMLINUX_H} VERBATIM)
elseif(EXISTS /sys/kernel/btf/vmlinux)
  set(_vmlinux_how "generated from /sys/kernel/btf/vmlinux")
  add_custom_command(OUTPUT ${_ks_bpf_out}/vmlinux.h
    COMMAND sh -c "'${KS_BPFTOOL}' btf dump file /sys/kernel/btf/vmlinux format c > vmlinux.h.tmp && mv vmlinux.h.tmp vmlinux.h"
    WORKING_DIRECTORY ${_ks_bpf_out}
    COMMENT "Generating vmlinux.h from /sys/kernel/btf/vmlinux" VERBATIM)
else()
  set(_vmlinux_how "FALLBACK bpf/vmlinux/vmlinux_minimal.h (no /sys/kernel/btf/vmlinux here)")
  add_custom_command(OUTPUT ${_ks_bpf_out}/vmlinux.h
    COMMAND ${CMAKE_COMMAND} -E copy ${_ks_bpf_src}/vmlinux/vmlinux_minimal.h
            ${_ks_bpf_out}/vmlinux.h
    DEPENDS ${_ks_bpf_src}/vmlinux/vmlinux_minimal.h VERBATIM)
endif()
message(STATUS "kvmscope BPF backend: ${KS_CLANG}, ${KS_BPFTOOL}; vmlinux.h ${_vmlinux_how}")

# ---- programs -> objects -> skeletons
set(_ks_bpf_cflags -g -O2 -target bpf -D__TARGET_ARCH_${_ks_bpf_arch}
    -Wall -Wextra -Wno-unused-parameter)
if(KVMSCOPE_WERROR)
  list(APPEND _ks_bpf_cflags -Werror)
endif()
set(_ks_bpf_headers ${_ks_bpf_src}/vmlinux/ks_probe.bpf.h ${_ks_bpf_src}/ks_probe_shared.h)
set(_ks_bpf_skels "")
foreach(_p IN LISTS _ks_bpf_programs)
  add_custom_command(OUTPUT ${_ks_bpf_out}/${_p}.bpf.o
    COMMAND ${KS_CLANG} ${_ks_bpf_cflags} -I${_ks_bpf_out} -I${_ks_bpf_src}/vmlinux
            -I${_ks_bpf_src} -I${KS_LIBBPF_INCLUDE_DIR}
            -c ${_ks_bpf_src}/probes/${_p}.bpf.c -o ${_p}.bpf.o
    DEPENDS ${_ks_bpf_src}/probes/${_p}.bpf.c ${_ks_bpf_headers} ${_ks_bpf_out}/vmlinux.h
    WORKING_DIRECTORY ${_ks_bpf_out}
    COMMENT "BPF ${_p}.bpf.c" VERBATIM)
  # gen object: libbpf's static linker, which also drops the DWARF (BTF stays)
  add_custom_command(OUTPUT ${_ks_bpf_out}/${_p}.skel.h
    COMMAND ${KS_BPFTOOL} gen object ${_p}.linked.o ${_p}.bpf.o
    COMMAND sh -c "'${KS_BPFTOOL}' gen skeleton ${_p}.linked.o name ${_p}_bpf > ${_p}.skel.h.tmp && mv ${_p}.skel.h.tmp ${_p}.skel.h"
    DEPENDS ${_ks_bpf_out}/${_p}.bpf.o
    WORKING_DIRECTORY ${_ks_bpf_out}
    COMMENT "BPF skeleton ${_p}.skel.h" VERBATIM)
  list(APPEND _ks_bpf_skels ${_ks_bpf_out}/${_p}.skel.h)
  # the descriptor holds the skeleton (probe_desc.h: KS_BPF_SKELETON)
  set_source_files_properties(${_ks_bpf_src}/probes/${_p}.c PROPERTIES
    COMPILE_DEFINITIONS "KS_BPF_SKEL_H=\"${_p}.skel.h\""
    INCLUDE_DIRECTORIES "${_ks_bpf_out};${KS_LIBBPF_INCLUDE_DIR}")
endforeach()

target_sources(ks_probe PRIVATE ${_ks_bpf_src}/probe_bpf.c ${_ks_bpf_src}/raw_args.c
  ${_ks_bpf_skels})
set_source_files_properties(${_ks_bpf_src}/probe_bpf.c ${_ks_bpf_src}/raw_args.c PROPERTIES
  INCLUDE_DIRECTORIES "${KS_LIBBPF_INCLUDE_DIR}")
# Native builds link by name, in dependency order, as tracefs_deps.cmake does:
# the dynamic kvmscope gets Debian's shared libbpf (which brings libelf and
# zlib itself: --as-needed keeps them out of kvmscope's NEEDED, so the .deb
# depends on libbpf1 and embeds no copy of zlib), a -static link (kvmscope-static,
# the testbed helpers) the archives proven above. A static or cross build
# (the arm64 sysroot) links the archives by path.
find_package(Threads REQUIRED)
if(KVMSCOPE_STATIC OR CMAKE_CROSSCOMPILING)
  target_link_libraries(ks_probe PUBLIC ${_ks_bpf_static_libs} Threads::Threads)
else()
  set(_ks_bpf_libs "")
  foreach(_a IN LISTS _ks_bpf_static_libs)   # /usr/lib/.../libelf.a -> elf
    get_filename_component(_n ${_a} NAME_WE)
    string(REGEX REPLACE "^lib" "" _n ${_n})
    list(APPEND _ks_bpf_libs ${_n})
  endforeach()
  get_filename_component(_ks_bpf_libdir ${KS_LIBBPF_A} DIRECTORY)
  target_link_directories(ks_probe PUBLIC ${_ks_bpf_libdir})
  target_link_options(ks_probe INTERFACE LINKER:--as-needed)
  target_link_libraries(ks_probe PUBLIC ${_ks_bpf_libs} Threads::Threads)
endif()

# The testbed test (tests/probe-bpf), unless tests/CMakeLists.txt adds it itself.
if(KVMSCOPE_TESTS AND EXISTS ${CMAKE_SOURCE_DIR}/tests/probe-bpf/CMakeLists.txt)
  file(READ ${CMAKE_SOURCE_DIR}/tests/CMakeLists.txt _ks_tests_cml)
  if(NOT _ks_tests_cml MATCHES "probe-bpf")
    enable_testing()
    add_subdirectory(${CMAKE_SOURCE_DIR}/tests/probe-bpf ${CMAKE_BINARY_DIR}/tests/probe-bpf)
  endif()
endif()
