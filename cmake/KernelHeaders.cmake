include_guard(GLOBAL)

# The syscall catalogue (injector/scenario/catalogue.hpp) is generated from the kernel's own
# declarations of its syscalls, which only the kernel headers packages carry (Debian:
# linux-headers-amd64, installed by scripts/setup): include/linux/syscalls.h and socket.h in
# linux-headers-VERSION-common, the generated x86 syscall tables in linux-headers-VERSION-amd64.
# The newest installed version is used; INJECT_KERNEL_HEADERS_COMMON and
# INJECT_KERNEL_HEADERS_ARCH name other directories.
set(INJECT_KERNEL_HEADERS_COMMON "" CACHE PATH "a linux-headers-*-common directory")
set(INJECT_KERNEL_HEADERS_ARCH "" CACHE PATH "a linux-headers-*-amd64 directory")

function(inject_newest_directory pattern result)
  file(GLOB candidates LIST_DIRECTORIES true ${pattern})
  list(SORT candidates COMPARE NATURAL ORDER DESCENDING)
  list(GET candidates 0 newest)
  set(${result} "${newest}" PARENT_SCOPE)
endfunction()

function(inject_find_kernel_headers)
  set(common "${INJECT_KERNEL_HEADERS_COMMON}")
  set(arch "${INJECT_KERNEL_HEADERS_ARCH}")
  if(NOT common)
    inject_newest_directory("/usr/src/linux-headers-*-common" common)
  endif()
  if(NOT arch)
    inject_newest_directory("/usr/src/linux-headers-*-amd64" arch)
  endif()
  set(files
    ${arch}/arch/x86/include/generated/asm/syscalls_64.h
    ${arch}/arch/x86/include/generated/asm/syscalls_32.h
    ${common}/include/linux/syscalls.h
    ${common}/include/linux/socket.h
    ${common}/arch/x86/include/asm/syscalls.h)
  foreach(file IN LISTS files)
    if(NOT EXISTS "${file}")
      message(FATAL_ERROR
        "inject reads the kernel's syscall declarations, and ${file} is missing: install them "
        "(Debian: apt-get install linux-headers-amd64; scripts/setup does) or set "
        "INJECT_KERNEL_HEADERS_COMMON and INJECT_KERNEL_HEADERS_ARCH")
    endif()
  endforeach()
  message(STATUS "Syscall declarations from ${common}")
  set(INJECT_KERNEL_HEADER_FILES ${files} PARENT_SCOPE)
endfunction()
