# tronidx_warnings(<target>): the project's strict warning set. Generated protobuf/gRPC code is built
# in its own library without these flags, so it is exempt. (-Wnull-dereference is left out: with GCC 12
# at -O2 it reports false positives inside libstdc++, e.g. vector<shared_ptr>::assign.)
function(tronidx_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wmisleading-indentation -Wduplicated-cond -Wlogical-op)
  if(TRONIDX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
