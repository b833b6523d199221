# What Debian policy wants in every package's /usr/share/doc/kvmscope, made
# at configure/build time (included by cmake/install.cmake):
#   copyright     machine-readable (DEP-5), from cmake/deb/copyright.in with
#                 the MIT text of LICENSE; a static build (KVMSCOPE_STATIC)
#                 also names the libraries its binary embeds
#   changelog.gz  cmake/deb/changelog (Debian format), gzip -9n: the package
#                 is native (the packaging lives in the source tree), so
#                 the name is changelog.gz, not changelog.Debian.gz
# and for a static build the lintian overrides of what being static implies.
set(_ks_deb_src ${CMAKE_SOURCE_DIR}/cmake/deb)
set(_ks_deb_out ${CMAKE_BINARY_DIR}/deb)
file(MAKE_DIRECTORY ${_ks_deb_out})

# The changelog's newest entry must be the version being packaged.
file(STRINGS ${_ks_deb_src}/changelog _ks_first LIMIT_COUNT 1)
if(NOT _ks_first MATCHES "^kvmscope \\(${PROJECT_VERSION}\\) ")
  message(FATAL_ERROR "cmake/deb/changelog starts with '${_ks_first}', but the version is "
                      "${PROJECT_VERSION}: add an entry for it (dch -v ${PROJECT_VERSION})")
endif()

# LICENSE below its "Copyright" line, as a DEP-5 License paragraph's text:
# every line indented by one space, an empty line written " .".
file(READ ${CMAKE_SOURCE_DIR}/LICENSE _ks_license)
string(REGEX REPLACE "^.*Copyright[^\n]*\n\n" "" _ks_license "${_ks_license}")
string(REGEX REPLACE "\n+$" "" _ks_license "${_ks_license}")
string(REPLACE "\n\n" "\n.\n" _ks_license "${_ks_license}")
string(REPLACE "\n" "\n " KS_DEB_MIT_TEXT " ${_ks_license}")

# A static binary carries the code of every archive it links: name each one
# found on the link lines of kvmscope's libraries, with its Debian package
# and the license that package's copyright file gives for that code.
set(KS_DEB_STATIC_COMMENT "")
if(KVMSCOPE_STATIC)
  set(_ks_known
    "libbpf|libbpf (libbpf1): LGPL-2.1 or BSD-2-Clause"
    "libelf|libelf from elfutils (libelf1): LGPL-3+ or GPL-2+"
    "libz|zlib (zlib1g): Zlib"
    "libzstd|zstd (libzstd1): BSD-3-Clause or GPL-2"
    "libtracefs|libtracefs (libtracefs1): LGPL-2.1"
    "libtraceevent|libtraceevent (libtraceevent1): LGPL-2.1"
    "libfdt|libfdt from device-tree-compiler (libfdt1): GPL-2+ or BSD-2-Clause")
  set(_ks_libs "")
  foreach(_t ks_vmm ks_bench ks_analysis ks_probe ks_fault)
    if(TARGET ${_t})
      get_target_property(_l ${_t} LINK_LIBRARIES)
      get_target_property(_il ${_t} INTERFACE_LINK_LIBRARIES)
      list(APPEND _ks_libs ${_l} ${_il})
    endif()
  endforeach()
  set(_ks_embedded
    " - the GNU C Library (libc6): LGPL-2.1+ and others, as its copyright file says"
    " - libgcc from GCC (gcc-12): GPL-3+ with the GCC Runtime Library Exception")
  foreach(_k IN LISTS _ks_known)
    string(REPLACE "|" ";" _k "${_k}")
    list(GET _k 0 _base)
    list(GET _k 1 _what)
    string(REGEX REPLACE "^lib" "" _name ${_base})   # linked by name: -ltracefs
    foreach(_l IN LISTS _ks_libs)
      if(_l MATCHES "/${_base}\\.a$" OR _l STREQUAL _name)
        list(APPEND _ks_embedded " - ${_what}")
        break()
      endif()
    endforeach()
  endforeach()
  list(JOIN _ks_embedded "\n" _ks_embedded)
  set(KS_DEB_STATIC_COMMENT "Comment: This build is statically linked: besides kvmscope,
 /usr/bin/kvmscope holds code from these Debian 12 libraries, each under
 its own license (the full terms are in that package's
 /usr/share/doc/<package>/copyright, the sources in Debian's archive):
${_ks_embedded}
")
endif()
configure_file(${_ks_deb_src}/copyright.in ${_ks_deb_out}/copyright @ONLY)

add_custom_command(OUTPUT ${_ks_deb_out}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E copy ${_ks_deb_src}/changelog ${_ks_deb_out}/changelog
  COMMAND ${KVMSCOPE_GZIP} -9nf ${_ks_deb_out}/changelog
  DEPENDS ${_ks_deb_src}/changelog
  COMMENT "Compressing the Debian changelog" VERBATIM)
add_custom_target(kvmscope-deb-doc ALL DEPENDS ${_ks_deb_out}/changelog.gz)

install(FILES ${_ks_deb_out}/copyright ${_ks_deb_out}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
if(KVMSCOPE_STATIC)
  install(FILES ${_ks_deb_src}/lintian-overrides-static
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/lintian/overrides RENAME kvmscope)
endif()
