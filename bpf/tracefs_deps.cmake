# The tracefs + libtraceevent probe backend (probe_tracefs.c). Included by
# bpf/CMakeLists.txt, which builds stubs.c instead when KS_TRACEFS_WHY is set.
#
# libtracefs/libtraceevent come from pkg-config on native builds (Debian:
# apt-get install libtracefs-dev libtraceevent-dev) and are linked by name
# (-ltracefs -ltraceevent), so the dynamic kvmscope gets the .so and the
# -static kvmscope-static the .a; both archives must exist for a static link.
# Cross builds look in CMAKE_FIND_ROOT_PATH (the sysroot) instead. Without
# them, probe_tracefs.c is left out and stubs.c says why at run time.

set(_ks_tfs_ok FALSE)
set(_ks_tfs_why "")
set(_ks_static FALSE)
if(KVMSCOPE_STATIC OR NOT DEFINED KVMSCOPE_STATIC_COPY OR KVMSCOPE_STATIC_COPY)
  set(_ks_static TRUE)   # something links ks_probe with -static
endif()

if(NOT CMAKE_CROSSCOMPILING)
  find_package(PkgConfig QUIET)
  if(PKG_CONFIG_FOUND)
    pkg_check_modules(KS_TRACEFS QUIET libtracefs libtraceevent)
  endif()
endif()

if(KS_TRACEFS_FOUND)
  set(_ks_tfs_ok TRUE)
  if(_ks_static)
    foreach(_l tracefs traceevent)
      find_library(KS_LIB${_l}_A NAMES lib${_l}.a HINTS ${KS_TRACEFS_LIBRARY_DIRS} NO_CACHE)
      if(NOT KS_LIB${_l}_A)
        set(_ks_tfs_ok FALSE)
        string(APPEND _ks_tfs_why " lib${_l}.a missing (a -static link needs it);")
      endif()
    endforeach()
  endif()
  if(_ks_tfs_ok)
    target_include_directories(ks_probe PRIVATE ${KS_TRACEFS_INCLUDE_DIRS})
    target_link_directories(ks_probe PUBLIC ${KS_TRACEFS_LIBRARY_DIRS})
    target_link_libraries(ks_probe PUBLIC ${KS_TRACEFS_LIBRARIES})   # tracefs;traceevent
  endif()
else()
  # cross builds (pkg-config would answer for the host) or no pkg-config
  find_path(KS_TRACEFS_INC tracefs.h PATH_SUFFIXES tracefs include/tracefs NO_CACHE)
  find_path(KS_TRACEEVENT_INC event-parse.h PATH_SUFFIXES traceevent include/traceevent NO_CACHE)
  if(_ks_static)
    set(_ks_names_tfs libtracefs.a)
    set(_ks_names_tep libtraceevent.a)
  else()
    set(_ks_names_tfs tracefs)
    set(_ks_names_tep traceevent)
  endif()
  find_library(KS_TRACEFS_LIB NAMES ${_ks_names_tfs} NO_CACHE)
  find_library(KS_TRACEEVENT_LIB NAMES ${_ks_names_tep} NO_CACHE)
  if(KS_TRACEFS_INC AND KS_TRACEEVENT_INC AND KS_TRACEFS_LIB AND KS_TRACEEVENT_LIB)
    set(_ks_tfs_ok TRUE)
    target_include_directories(ks_probe PRIVATE ${KS_TRACEFS_INC} ${KS_TRACEEVENT_INC})
    target_link_libraries(ks_probe PUBLIC ${KS_TRACEFS_LIB} ${KS_TRACEEVENT_LIB})
  else()
    set(_ks_tfs_why " libtracefs/libtraceevent not found (apt-get install libtracefs-dev libtraceevent-dev; cross: into the sysroot);")
  endif()
endif()

if(_ks_tfs_ok)
  target_sources(ks_probe PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/probe_tracefs.c)
  # libtraceevent is only ever handed our own events: no plugins (no dlopen)
else()
  string(STRIP "${_ks_tfs_why}" _ks_tfs_why)
  string(REGEX REPLACE ";$" "" _ks_tfs_why "${_ks_tfs_why}")
  set(KS_TRACEFS_WHY "kvmscope was built without the tracefs backend: ${_ks_tfs_why}")
endif()
