# tronidx_warnings(<target>): the project's strict warning set. Generated protobuf/gRPC code is built
# in its own library without these flags, so it is exempt.
function(tronidx_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
    -Wimplicit-fallthrough -Wmisleading-indentation -Wduplicated-cond -Wlogical-op)
  if(TRONIDX_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
