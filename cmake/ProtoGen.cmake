# tronidx_proto_library(<target> ROOT <dir> PROTOS <files relative to ROOT...> [GRPC])
# Runs protoc (+ grpc_cpp_plugin) into the build directory and builds one static library from the
# result, so generated code compiles exactly once. Include paths: the build dir (for "tron/api.pb.h").
function(tronidx_proto_library target)
  cmake_parse_arguments(P "GRPC" "ROOT" "PROTOS" ${ARGN})
  set(out ${CMAKE_CURRENT_BINARY_DIR}/gen)
  file(MAKE_DIRECTORY ${out})
  set(srcs)
  foreach(rel ${P_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${rel})
    set(gen ${out}/${stem}.pb.cc ${out}/${stem}.pb.h)
    set(args --cpp_out=${out})
    if(P_GRPC)
      list(APPEND gen ${out}/${stem}.grpc.pb.cc ${out}/${stem}.grpc.pb.h)
      list(APPEND args --grpc_out=${out} --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${gen}
      COMMAND protobuf::protoc ${args} -I ${P_ROOT} ${P_ROOT}/${rel}
      DEPENDS ${P_ROOT}/${rel} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND srcs ${gen})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC ${out})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf)
  if(P_GRPC)
    target_link_libraries(${target} PUBLIC gRPC::grpc++)
  endif()
endfunction()
