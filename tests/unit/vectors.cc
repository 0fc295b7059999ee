#include "vectors.h"

#include <cctype>
#include <fstream>
#include <set>
#include <stdexcept>

#include "tronidx/chain/hex.h"

namespace tronidx::test {

const nlohmann::json& all_vectors() {
  static const nlohmann::json vectors = [] {
    const std::string path = std::string(TRONIDX_TEST_DATA_DIR) + "/vectors/tron-mainnet.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    nlohmann::json j = nlohmann::json::parse(in);
    if (!j.is_array() || j.empty()) throw std::runtime_error(path + ": expected a non-empty array");
    return j;
  }();
  return vectors;
}

void PrintTo(const Vector& v, std::ostream* os) { *os << v.name; }

std::string vector_name(const ::testing::TestParamInfo<Vector>& info) { return info.param.name; }

std::vector<Vector> vectors_of_kind(std::string_view kind, std::string_view name_field) {
  std::vector<Vector> out;
  std::set<std::string> seen;
  for (const auto& v : all_vectors()) {
    if (v.at("kind").get<std::string>() != kind) continue;
    const auto& f = v.at(std::string(name_field));
    std::string name = f.is_string() ? f.get<std::string>() : f.dump();
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    if (!seen.insert(name).second) name += "_" + std::to_string(out.size());
    seen.insert(name);
    out.push_back(Vector{std::move(name), &v});
  }
  if (out.empty()) throw std::runtime_error("no vectors of kind " + std::string(kind));
  return out;
}

const nlohmann::json& known_fact(std::string_view name_part) {
  for (const auto& v : all_vectors()) {
    if (v.at("kind") == "known_fact" && v.at("name").get<std::string>().find(name_part) != std::string::npos) {
      return v;
    }
  }
  throw std::runtime_error("no known_fact named like " + std::string(name_part));
}

std::vector<uint8_t> unhex(std::string_view hex) {
  auto r = chain::from_hex(hex, "vector");
  if (!r.ok()) throw std::runtime_error(r.error().message);
  return std::move(r).value();
}

std::string unhex_string(std::string_view hex) {
  const auto bytes = unhex(hex);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace tronidx::test
