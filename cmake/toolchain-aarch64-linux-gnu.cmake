# Cross-compile kvmscope for arm64 with Debian's gcc-aarch64-linux-gnu.
# The arm64 libraries (libfdt, and for the probe backends libbpf, libelf,
# zlib, libzstd, libtracefs, libtraceevent: static archives + headers) come
# from Debian's arm64 -dev packages unpacked into a private sysroot by
# scripts/deps-arm64.sh (they cannot be co-installed with the amd64 -dev
# packages that the host build uses). Headers and libraries are looked up
# only there and in the cross libc; programs (clang, bpftool: the BPF
# programs and skeletons are arch-neutral) only on the host.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "")
set(KVMSCOPE_ARM64_SYSROOT "$ENV{HOME}/.cache/kvmscope/sysroot-arm64" CACHE PATH
    "where scripts/deps-arm64.sh unpacks the arm64 -dev packages")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${KVMSCOPE_ARM64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
