#include "endpoint.h"

#include <charconv>

namespace tronidx::sim {

Result<Endpoint> parse_endpoint(std::string_view text, std::string_view field) {
  const size_t colon = text.rfind(':');
  auto bad = [&](const char* what) {
    return make_error(Errc::kInvalidArgument, std::string(field) + ": '" + std::string(text) + "' " + what);
  };
  if (colon == std::string_view::npos || colon == 0) return bad("is not host:port");
  const std::string_view port = text.substr(colon + 1);
  int value = -1;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value < 0 || value > 65535) {
    return bad("has no port in [0, 65535]");
  }
  return Endpoint{std::string(text.substr(0, colon)), value};
}

}  // namespace tronidx::sim
