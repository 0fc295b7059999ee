#include "tronidx/daemon/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <set>
#include <sstream>

#include "tronidx/chain/usdt.h"

extern char** environ;

namespace tronidx::daemon {
namespace {

enum class Type { kInt, kBool, kString, kStringList };

struct KeySpec {
  const char* key;
  Type type;
};

// Every scalar key the file may hold (arrays of tables [[token]] and [[watch]] are handled apart).
constexpr KeySpec kKeys[] = {
    {"node.endpoints", Type::kStringList},   {"node.tls", Type::kBool},
    {"node.api_key", Type::kString},         {"node.call_timeout_ms", Type::kInt},
    {"node.max_attempts", Type::kInt},       {"node.max_receive_mb", Type::kInt},
    {"node.verify_txids", Type::kBool},      {"store.data_dir", Type::kString},
    {"store.sync_writes", Type::kBool},      {"store.block_cache_mb", Type::kInt},
    {"store.ingest_min_writes", Type::kInt}, {"store.catch_up_l0_files", Type::kInt},
    {"store.inline_rows_bytes", Type::kInt},
    {"store.journal_retention", Type::kInt}, {"index.mode", Type::kString},
    {"index.tokens", Type::kStringList},     {"index.trx", Type::kBool},
    {"index.trc10", Type::kBool},            {"index.start_block", Type::kInt},
    {"index.watch_file", Type::kString},
    {"sync.fetch_concurrency", Type::kInt},  {"sync.ranges_in_flight", Type::kInt},
    {"sync.poll_interval_ms", Type::kInt},   {"sync.commit_max_blocks", Type::kInt},
    {"sync.progress_interval_ms", Type::kInt}, {"confirmations.min", Type::kInt},
    {"log.level", Type::kString},            {"log.status_interval_s", Type::kInt},
    {"api.enabled", Type::kBool},            {"api.listen", Type::kString},
    {"api.allow_unauthenticated", Type::kBool}, {"api.tls_cert_file", Type::kString},
    {"api.tls_key_file", Type::kString},     {"api.tls_client_ca_file", Type::kString},
    {"api.max_request_kb", Type::kInt},      {"api.max_page_size", Type::kInt},
    {"api.max_filter_addresses", Type::kInt}, {"api.max_filter_tokens", Type::kInt},
    {"api.max_streams_per_key", Type::kInt}, {"api.health_max_lag_blocks", Type::kInt},
    {"api.heartbeat_interval_ms", Type::kInt}, {"api.max_subscriber_lag", Type::kInt},
    {"api.hub_workers", Type::kInt},         {"api.backlog_nice", Type::kInt},
    {"api.backlog_catch_up_cpu_percent", Type::kInt},
    {"metrics.enabled", Type::kBool},        {"metrics.listen", Type::kString},
    {"metrics.ready_max_lag_blocks", Type::kInt},
};

const KeySpec* find_key(std::string_view key) {
  for (const auto& k : kKeys) {
    if (key == k.key) return &k;
  }
  return nullptr;
}

[[noreturn]] void fail(const std::string& key, const std::string& what) { throw ConfigError(key + ": " + what); }

std::string type_name(Type t) {
  switch (t) {
    case Type::kInt: return "an integer";
    case Type::kBool: return "true or false";
    case Type::kString: return "a string";
    case Type::kStringList: return "a list of strings";
  }
  return "?";
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const size_t comma = text.find(',');
    std::string item(text.substr(0, comma));
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
  }
  return out;
}

// Sets `key` (dotted) in `root` from override text, typed by its KeySpec.
void apply_override(toml::table& root, const std::string& key, const std::string& text, const std::string& origin) {
  const KeySpec* spec = find_key(key);
  if (spec == nullptr) fail(key, "unknown key (from " + origin + ")");
  const size_t dot = key.find('.');
  const std::string section = key.substr(0, dot), name = key.substr(dot + 1);
  if (!root.contains(section)) root.insert(section, toml::table{});
  toml::table* t = root[section].as_table();
  if (t == nullptr) fail(section, "must be a table");
  switch (spec->type) {
    case Type::kInt: {
      int64_t v = 0;
      const auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      if (ec != std::errc() || p != text.data() + text.size()) {
        fail(key, "expected an integer from " + origin + ", got \"" + text + "\"");
      }
      t->insert_or_assign(name, v);
      break;
    }
    case Type::kBool:
      if (text != "true" && text != "false" && text != "1" && text != "0") {
        fail(key, "expected true or false from " + origin + ", got \"" + text + "\"");
      }
      t->insert_or_assign(name, text == "true" || text == "1");
      break;
    case Type::kString:
      t->insert_or_assign(name, text);
      break;
    case Type::kStringList: {
      toml::array arr;
      for (const auto& item : split_list(text)) arr.push_back(item);
      t->insert_or_assign(name, std::move(arr));
      break;
    }
  }
}

// Rejects unknown sections/keys and values of the wrong type.
void check_keys(const toml::table& root) {
  for (const auto& [section, node] : root) {
    const std::string s(section.str());
    if (s == "token" || s == "watch") {
      if (!node.is_array_of_tables()) fail(s, "must be an array of tables ([[" + s + "]])");
      continue;
    }
    const toml::table* t = node.as_table();
    if (t == nullptr) fail(s, "unknown key (top-level keys are sections like [node], [store], [index])");
    for (const auto& [k, v] : *t) {
      const std::string key = s + "." + std::string(k.str());
      if (key == "api.key") {
        if (!v.is_array_of_tables()) fail(key, "must be an array of tables ([[api.key]])");
        continue;
      }
      const KeySpec* spec = find_key(key);
      if (spec == nullptr) fail(key, "unknown key");
      bool ok = false;
      switch (spec->type) {
        case Type::kInt: ok = v.is_integer(); break;
        case Type::kBool: ok = v.is_boolean(); break;
        case Type::kString: ok = v.is_string(); break;
        case Type::kStringList: {
          const toml::array* a = v.as_array();
          ok = a != nullptr && std::all_of(a->begin(), a->end(), [](const toml::node& n) { return n.is_string(); });
          break;
        }
      }
      if (!ok) fail(key, "must be " + type_name(spec->type));
    }
  }
}

class Reader {
 public:
  explicit Reader(const toml::table& root) : root_(root) {}

  int64_t integer(const char* key, int64_t def, int64_t min, int64_t max) const {
    auto v = root_.at_path(key).value<int64_t>();
    const int64_t x = v.value_or(def);
    if (x < min || x > max) {
      fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + " (got " +
                    std::to_string(x) + ")");
    }
    return x;
  }
  bool boolean(const char* key, bool def) const { return root_.at_path(key).value<bool>().value_or(def); }
  std::string string(const char* key, const std::string& def) const {
    return root_.at_path(key).value<std::string>().value_or(def);
  }
  std::optional<std::vector<std::string>> list(const char* key) const {
    const toml::array* a = root_.at_path(key).as_array();
    if (a == nullptr) return std::nullopt;
    std::vector<std::string> out;
    for (const auto& n : *a) out.push_back(*n.value<std::string>());
    return out;
  }

 private:
  const toml::table& root_;
};

chain::Address parse_address(const std::string& key, const std::string& text) {
  auto a = chain::Address::parse(text, key);
  if (!a.ok()) throw ConfigError(a.error().message);
  return *a;
}

std::string env_name(std::string_view key) {
  std::string out = "TRONIDX_";
  for (char c : key) out.push_back(c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

const TokenMeta kUsdt{*chain::Address::parse(chain::kUsdtContract), std::string(chain::kUsdtSymbol),
                      chain::kUsdtDecimals};

}  // namespace

const std::vector<std::pair<std::string, std::string>>& env_keys() {
  static const auto keys = [] {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& k : kKeys) out.emplace_back(env_name(k.key), k.key);
    return out;
  }();
  return keys;
}

std::map<std::string, std::string> process_env() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view kv(*e);
    if (kv.rfind("TRONIDX_", 0) != 0) continue;
    const size_t eq = kv.find('=');
    if (eq != std::string_view::npos) out.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return out;
}

Config load_config(const std::string& path, const std::map<std::string, std::string>& env, const Overrides& flags) {
  toml::table root;
  if (!path.empty()) {
    try {
      root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      std::ostringstream msg;
      msg << path << ":" << e.source().begin.line << ":" << e.source().begin.column << ": " << e.description();
      throw ConfigError(msg.str());
    }
  }
  check_keys(root);
  for (const auto& [var, key] : env_keys()) {
    auto it = env.find(var);
    if (it != env.end()) apply_override(root, key, it->second, "environment variable " + var);
  }
  for (const auto& [key, value] : flags) apply_override(root, key, value, "command-line flag");

  const Reader r(root);
  Config c;
  c.source = path;

  // [node]
  const auto endpoints = r.list("node.endpoints").value_or(std::vector<std::string>{"127.0.0.1:50051"});
  if (endpoints.empty()) fail("node.endpoints", "at least one endpoint is needed");
  const bool tls = r.boolean("node.tls", false);
  for (const auto& e : endpoints) {
    if (e.find(':') == std::string::npos) fail("node.endpoints", "\"" + e + "\" is not host:port");
    c.node.endpoints.push_back(node::Endpoint{e, tls});
  }
  c.node.api_key = r.string("node.api_key", "");
  c.node.call_timeout = std::chrono::milliseconds(r.integer("node.call_timeout_ms", 15000, 100, 600000));
  c.node.retry.max_attempts = static_cast<int>(r.integer("node.max_attempts", 8, 1, 100));
  c.node.max_receive_bytes = static_cast<int>(r.integer("node.max_receive_mb", 256, 4, 2047)) << 20;
  c.node.verify_txids = r.boolean("node.verify_txids", true);

  // [store]
  c.data_dir = r.string("store.data_dir", "");
  if (c.data_dir.empty()) fail("store.data_dir", "is required (where the index lives)");
  c.sync_writes = r.boolean("store.sync_writes", true);
  c.block_cache_mb = static_cast<size_t>(r.integer("store.block_cache_mb", 128, 8, 1 << 20));
  c.ingest_min_writes = static_cast<size_t>(r.integer("store.ingest_min_writes", 50'000, 0, INT64_MAX));
  c.catch_up_l0_files = static_cast<size_t>(r.integer("store.catch_up_l0_files", 64, 0, 256));
  c.inline_rows_bytes = static_cast<unsigned>(r.integer("store.inline_rows_bytes", 8, 0, 1000));
  c.sync.journal_retention = static_cast<uint64_t>(r.integer("store.journal_retention", 5'000'000, 1000, INT64_MAX));

  // [index]
  const std::string mode = r.string("index.mode", "watched");
  if (mode == "watched") {
    c.mode.kind = store::ModeConfig::Kind::kWatched;
    if (r.list("index.tokens")) fail("index.tokens", "only applies to index.mode = \"all\"");
  } else if (mode == "all") {
    c.mode.kind = store::ModeConfig::Kind::kAll;
    const auto tokens = r.list("index.tokens").value_or(std::vector<std::string>{"*"});
    if (tokens.empty()) fail("index.tokens", "must list tokens, or \"*\" for every token");
    if (!(tokens.size() == 1 && tokens[0] == "*")) {
      for (const auto& t : tokens) {
        if (t == "*") fail("index.tokens", "\"*\" cannot be combined with other tokens");
        c.mode.tokens.push_back(t == "TRX" ? decode::trx_token() : parse_address("index.tokens", t));
      }
      std::sort(c.mode.tokens.begin(), c.mode.tokens.end());
    }
  } else {
    fail("index.mode", "must be \"watched\" or \"all\" (got \"" + mode + "\")");
  }
  c.decode.trx = r.boolean("index.trx", true);
  c.decode.trc10 = r.boolean("index.trc10", false);
  const int64_t start = r.integer("index.start_block", 0, 0, UINT32_MAX);
  if (start > 0) c.sync.start_block = static_cast<uint64_t>(start);
  c.sync.decode = c.decode;

  // [sync]
  c.sync.fetch_concurrency = static_cast<size_t>(r.integer("sync.fetch_concurrency", 8, 1, 256));
  c.sync.ranges_in_flight = static_cast<size_t>(r.integer("sync.ranges_in_flight", 8, 1, 64));
  c.sync.poll_interval = std::chrono::milliseconds(r.integer("sync.poll_interval_ms", 1000, 50, 60000));
  c.sync.commit_max_blocks = static_cast<size_t>(r.integer("sync.commit_max_blocks", 1000, 1, 10000));
  c.sync.progress_interval = std::chrono::milliseconds(r.integer("sync.progress_interval_ms", 5000, 100, 3600000));

  c.confirmations = static_cast<uint32_t>(r.integer("confirmations.min", 19, 1, 100000));

  // [log]
  static const std::set<std::string> kLevels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
  c.log_level = r.string("log.level", "info");
  if (kLevels.count(c.log_level) == 0) {
    fail("log.level", "must be one of trace, debug, info, warn, error, critical, off (got \"" + c.log_level + "\")");
  }
  c.status_interval = std::chrono::seconds(r.integer("log.status_interval_s", 60, 1, 86400));

  // [metrics]
  c.metrics_enabled = r.boolean("metrics.enabled", true);
  c.metrics_listen = r.string("metrics.listen", "127.0.0.1:9464");
  c.ready_max_lag_blocks = static_cast<uint64_t>(r.integer("metrics.ready_max_lag_blocks", 30, 1, 1000000));

  // [api]
  c.api_enabled = r.boolean("api.enabled", true);
  c.api.listen = r.string("api.listen", "127.0.0.1:50151");
  c.api.allow_unauthenticated = r.boolean("api.allow_unauthenticated", false);
  c.api.tls_cert_file = r.string("api.tls_cert_file", "");
  c.api.tls_key_file = r.string("api.tls_key_file", "");
  c.api.tls_client_ca_file = r.string("api.tls_client_ca_file", "");
  c.api.max_request_bytes = static_cast<int>(r.integer("api.max_request_kb", 1024, 4, 65536)) * 1024;
  c.api.max_page_size = static_cast<uint32_t>(r.integer("api.max_page_size", 1000, 1, 100000));
  c.api.max_filter_addresses = static_cast<size_t>(r.integer("api.max_filter_addresses", 10000, 1, 1000000));
  c.api.max_filter_tokens = static_cast<size_t>(r.integer("api.max_filter_tokens", 100, 1, 10000));
  c.api.max_streams_per_key = static_cast<size_t>(r.integer("api.max_streams_per_key", 100, 1, 1000000));
  c.api.health_max_lag_blocks = static_cast<uint64_t>(r.integer("api.health_max_lag_blocks", 30, 1, 1000000));
  c.api.heartbeat_interval = std::chrono::milliseconds(r.integer("api.heartbeat_interval_ms", 5000, 100, 600000));
  c.api.max_subscriber_lag = static_cast<uint64_t>(r.integer("api.max_subscriber_lag", 2'000'000, 100, INT64_MAX));
  c.api.hub_workers = static_cast<size_t>(r.integer("api.hub_workers", 2, 1, 64));
  c.api.backlog_nice = static_cast<int>(r.integer("api.backlog_nice", 10, 0, 19));
  c.api.backlog_catch_up_cpu_percent = static_cast<int>(r.integer("api.backlog_catch_up_cpu_percent", 10, 0, 6400));
  if (const toml::array* keys = root.at_path("api.key").as_array()) {
    for (size_t i = 0; i < keys->size(); ++i) {
      const std::string where = "api.key[" + std::to_string(i) + "]";
      const toml::table& t = *keys->at(i).as_table();
      for (const auto& [k, v] : t) {
        (void)v;
        if (k != "name" && k != "sha256" && k != "scopes") fail(where + "." + std::string(k.str()), "unknown key");
      }
      api::ApiKeyConfig key;
      key.name = t["name"].value<std::string>().value_or("key" + std::to_string(i));
      const auto hash = t["sha256"].value<std::string>();
      if (!hash || hash->size() != 64) fail(where + ".sha256", "must be the 64-hex SHA-256 of the key");
      key.sha256_hex = *hash;
      const toml::array* scopes = t["scopes"].as_array();
      if (scopes == nullptr) fail(where + ".scopes", "is required: a list of read, subscribe, admin");
      for (const auto& sc : *scopes) {
        const auto name = sc.value<std::string>();
        if (!name) fail(where + ".scopes", "must be a list of strings");
        key.scopes.push_back(*name);
      }
      c.api.keys.push_back(std::move(key));
    }
  }

  // index.watch_file: one address per line, optionally followed by a label; '#' starts a comment.
  if (const std::string wf = r.string("index.watch_file", ""); !wf.empty()) {
    std::ifstream in(wf);
    if (!in) fail("index.watch_file", "cannot read " + wf);
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
      ++line_no;
      if (const size_t hash = line.find('#'); hash != std::string::npos) line.erase(hash);
      const size_t first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos) continue;
      const size_t end = line.find_first_of(" \t\r", first);
      const std::string address = line.substr(first, end == std::string::npos ? std::string::npos : end - first);
      std::string label;
      if (end != std::string::npos) {
        const size_t l = line.find_first_not_of(" \t", end);
        if (l != std::string::npos) label = line.substr(l, line.find_last_not_of(" \t\r") - l + 1);
      }
      c.watches.push_back(WatchEntry{parse_address(wf + ":" + std::to_string(line_no), address), label});
    }
  }

  // [[token]] and [[watch]]
  c.tokens.push_back(kUsdt);
  if (const toml::array* tokens = root["token"].as_array()) {
    for (size_t i = 0; i < tokens->size(); ++i) {
      const std::string where = "token[" + std::to_string(i) + "]";
      const toml::table& t = *tokens->at(i).as_table();
      for (const auto& [k, v] : t) {
        (void)v;
        if (k != "address" && k != "symbol" && k != "decimals") fail(where + "." + std::string(k.str()), "unknown key");
      }
      TokenMeta m;
      const auto addr = t["address"].value<std::string>();
      if (!addr) fail(where + ".address", "is required");
      m.address = parse_address(where + ".address", *addr);
      m.symbol = t["symbol"].value<std::string>().value_or("");
      const int64_t dec = t["decimals"].value<int64_t>().value_or(0);
      if (dec < 0 || dec > 77) fail(where + ".decimals", "must be between 0 and 77 (got " + std::to_string(dec) + ")");
      m.decimals = static_cast<unsigned>(dec);
      auto it = std::find_if(c.tokens.begin(), c.tokens.end(), [&](const TokenMeta& x) { return x.address == m.address; });
      if (it != c.tokens.end()) {
        *it = m;
      } else {
        c.tokens.push_back(m);
      }
    }
  }
  if (const toml::array* watches = root["watch"].as_array()) {
    for (size_t i = 0; i < watches->size(); ++i) {
      const std::string where = "watch[" + std::to_string(i) + "]";
      const toml::table& t = *watches->at(i).as_table();
      for (const auto& [k, v] : t) {
        (void)v;
        if (k != "address" && k != "label") fail(where + "." + std::string(k.str()), "unknown key");
      }
      const auto addr = t["address"].value<std::string>();
      if (!addr) fail(where + ".address", "is required");
      c.watches.push_back(WatchEntry{parse_address(where + ".address", *addr), t["label"].value<std::string>().value_or("")});
    }
  }
  return c;
}

const TokenMeta* find_token(const Config& config, const chain::Address& token) {
  for (const auto& t : config.tokens) {
    if (t.address == token) return &t;
  }
  return nullptr;
}

}  // namespace tronidx::daemon
