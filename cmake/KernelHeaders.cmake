include_guard(GLOBAL)

# The committed syscall table (injector/syscalls/syscall_table.inc) is generated from the
# kernel's own declarations of its syscalls, which only the kernel headers packages carry
# (Debian: linux-headers-amd64, installed by scripts/setup for the test that compares the
# two): include/linux/syscalls.h and socket.h in linux-headers-VERSION-common, the generated x86
# syscall tables in linux-headers-VERSION-amd64. The newest installed version is used;
# INJECT_KERNEL_HEADERS_COMMON and INJECT_KERNEL_HEADERS_ARCH name other directories. Building
# inject needs none of them: without them there is no regenerate-syscall-table target.
set(INJECT_KERNEL_HEADERS_COMMON "" CACHE PATH "a linux-headers-*-common directory")
set(INJECT_KERNEL_HEADERS_ARCH "" CACHE PATH "a linux-headers-*-amd64 directory")

function(inject_newest_directory pattern result)
  file(GLOB candidates LIST_DIRECTORIES true ${pattern})
  set(newest "")
  if(candidates)
    list(SORT candidates COMPARE NATURAL ORDER DESCENDING)
    list(GET candidates 0 newest)
  endif()
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
      message(STATUS "No kernel headers (${file}): the syscall table cannot be regenerated nor "
                     "compared with them (Debian: apt-get install linux-headers-amd64)")
      set(INJECT_KERNEL_HEADER_FILES "" PARENT_SCOPE)
      return()
    endif()
  endforeach()
  message(STATUS "Kernel syscall declarations for the syscall table: ${common}")
  set(INJECT_KERNEL_HEADER_FILES ${files} PARENT_SCOPE)
  # The kernel's own error codes (ERESTARTSYS, ...), for injector/syscalls/kernel_errnos.inc.
  set(INJECT_KERNEL_ERRNO_HEADER ${common}/include/linux/errno.h PARENT_SCOPE)
endfunction()
