# Cross-compile kvmscope for arm64 with Debian's gcc-aarch64-linux-gnu.
# libfdt for arm64 comes from Debian's libfdt-dev:arm64 unpacked into a
# private sysroot by scripts/deps-arm64.sh (it cannot be co-installed with
# the amd64 libfdt-dev that the host tests use).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_ASM_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_OBJCOPY aarch64-linux-gnu-objcopy CACHE FILEPATH "")
set(KVMSCOPE_ARM64_SYSROOT "$ENV{HOME}/.cache/kvmscope/sysroot-arm64" CACHE PATH
    "where libfdt-dev:arm64 is unpacked")
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu ${KVMSCOPE_ARM64_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
