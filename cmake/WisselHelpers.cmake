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

# libFuzzer harnesses (-DWISSEL_FUZZ=ON, clang only) for the parsers of untrusted input: the
# adapters' requests and the router's bearer tokens.
# wissel_fuzzer(NAME SRCS ... DEPS ... CORPUS dir): a libFuzzer binary (with
# AddressSanitizer) when WISSEL_FUZZ is on; CORPUS is its checked-in seed corpus.
function(wissel_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SRCS;DEPS" ${ARGN})
  if(NOT WISSEL_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SRCS})
  target_compile_options(${name} PRIVATE ${WISSEL_WARNINGS} -fsanitize=fuzzer,address
                                         -fno-omit-frame-pointer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES WISSEL_FUZZ_CORPUS "${ARG_CORPUS}")
endfunction()

# wissel_fuzz_test(FUZZER): a bounded run (20 s) of a fuzzer from wissel_fuzzer as a ctest test
# with label "fuzz". Call it from the tests/ tree (ctest only sees tests registered below the
# top-level enable_testing()).
function(wissel_fuzz_test fuzzer)
  if(NOT WISSEL_FUZZ)
    return()
  endif()
  get_target_property(corpus ${fuzzer} WISSEL_FUZZ_CORPUS)
  # New inputs go to a scratch corpus in the build tree; the checked-in seeds stay read-only.
  set(scratch ${CMAKE_CURRENT_BINARY_DIR}/${fuzzer}_corpus)
  file(MAKE_DIRECTORY ${scratch})
  add_test(NAME ${fuzzer} COMMAND ${fuzzer} -max_total_time=20 -rss_limit_mb=2048 -timeout=5
                                  ${scratch} ${corpus})
  set_tests_properties(${fuzzer} PROPERTIES LABELS fuzz TIMEOUT 120)
endfunction()

# Parser code that the fuzzers instrument is compiled with coverage when fuzzing.
function(wissel_fuzz_instrument target)
  if(WISSEL_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link,address
                                             -fno-omit-frame-pointer)
  endif()
endfunction()
