#pragma once
// host:port listen addresses. Port 0 means "any free port"; the bound port is known after start.

#include <string>
#include <string_view>

#include "tronidx/chain/result.h"

namespace tronidx::sim {

struct Endpoint {
  std::string host;  // as given ("127.0.0.1", "0.0.0.0", "[::1]", "localhost")
  int port = 0;
  std::string str() const { return host + ":" + std::to_string(port); }
};

// "host:port" with port in [0, 65535]. kInvalidArgument naming `field` otherwise.
Result<Endpoint> parse_endpoint(std::string_view text, std::string_view field);

}  // namespace tronidx::sim
