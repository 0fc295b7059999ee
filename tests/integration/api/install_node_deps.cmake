# CTest fixture: installs tests/node's npm packages (exact versions from its package-lock.json) when
# node_modules is missing; never downloads anything when it is present.
#   cmake -DNODE_DIR=<repo>/tests/node -P install_node_deps.cmake
if(EXISTS "${NODE_DIR}/node_modules/@grpc/grpc-js/package.json" AND
   EXISTS "${NODE_DIR}/node_modules/@grpc/proto-loader/package.json")
  message(STATUS "node_modules present")
  return()
endif()
find_program(NPM npm REQUIRED)
execute_process(COMMAND ${NPM} ci --no-audit --no-fund WORKING_DIRECTORY "${NODE_DIR}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "npm ci failed in ${NODE_DIR} (${rc})")
endif()
