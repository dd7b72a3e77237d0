# Small helpers so each folder's CMakeLists.txt stays a short declarative list.

# Partial aggregate initialisation of config structs is idiomatic here; the rest of -Wextra stays.
set(WISSEL_WARNINGS -Wall -Wextra -Wno-missing-field-initializers)
if(WISSEL_WERROR)
  list(APPEND WISSEL_WARNINGS -Werror)
endif()

# wissel_library(NAME SRCS ... DEPS ... [PRIVATE_DEPS ...])
function(wissel_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${WISSEL_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# wissel_binary(NAME SRCS ... DEPS ...)
function(wissel_binary name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${WISSEL_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()

# wissel_test(NAME SRCS ... DEPS ... [LABELS ...])
# Registers a GoogleTest binary with ctest; LABELS lets CI select unit/integration.
function(wissel_test name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${WISSEL_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# wissel_benchmark(NAME SRCS ... DEPS ...)
function(wissel_benchmark name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${WISSEL_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
