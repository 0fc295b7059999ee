// fetch_limit: prints the fetch+parse-only rate of a node (see fetch_limit.h) as a text line and a JSON
// line. Usage:
//   fetch_limit [--endpoint HOST:PORT] [--from N] [--to N] [--in-flight N] [--range N] [--no-infos]
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "fetch_limit.h"

namespace {

bool parse_int(const char* text, auto& out) {
  const std::string_view s(text);
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

constexpr const char* kUsage =
    "usage: fetch_limit [--endpoint HOST:PORT] [--from N] [--to N (exclusive; default head+1)] "
    "[--in-flight N] [--range N] [--no-infos]\n";

int usage(const char* problem) {
  std::fprintf(stderr, "fetch_limit: %s\n%s", problem, kUsage);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  tronidx::bench::FetchLimitOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    bool ok = true;
    if (flag == "--help" || flag == "-h") {
      std::printf("fetch_limit: the fetch+parse-only rate of a node\n%s", kUsage);
      return 0;
    }
    if (flag == "--no-infos") {
      o.infos = false;
      continue;
    }
    if (value == nullptr) return usage("missing value");
    if (flag == "--endpoint") {
      o.endpoint = value;
    } else if (flag == "--from") {
      ok = parse_int(value, o.from_block);
    } else if (flag == "--to") {
      ok = parse_int(value, o.to_block);
    } else if (flag == "--in-flight") {
      ok = parse_int(value, o.in_flight);
    } else if (flag == "--range") {
      ok = parse_int(value, o.range);
    } else {
      return usage("unknown flag");
    }
    if (!ok) return usage("bad number");
    ++i;
  }
  auto result = tronidx::bench::run_fetch_limit(o);
  if (!result.ok()) {
    std::fprintf(stderr, "fetch_limit: %s\n", result.error().message.c_str());
    return result.error().code == tronidx::Errc::kInvalidArgument ? 2 : 1;
  }
  std::printf("%s\n%s\n", tronidx::bench::format_text(o, *result).c_str(),
              tronidx::bench::format_json(o, *result).c_str());
  return 0;
}
