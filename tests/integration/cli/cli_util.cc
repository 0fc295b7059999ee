#include "cli_util.h"

#include <google/protobuf/util/json_util.h>

#include <ctime>
#include <sstream>
#include <stdexcept>

#include "testsupport/wait.h"
#include "tronidx/chain/amount.h"

namespace tronidx::clitest {

std::filesystem::path cli_binary() { return std::filesystem::path(TRONIDX_BINARY_DIR) / "tools" / "tronidx" / "tronidx"; }

std::string CliResult::describe() const {
  return status.describe() + (timed_out ? " (timed out)" : "") + "\n--- stdout ---\n" + apitest::tail(out, 3000) +
         "\n--- stderr ---\n" + apitest::tail(err, 3000);
}

namespace {

const std::vector<std::pair<std::string, std::string>> kCleanEnv = {{"TRONIDX_API", ""}, {"TRONIDX_API_KEY", ""}};

}  // namespace

CliResult run_cli(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  TempDir dir("tronidx-cli");
  testsupport::ChildOptions o;
  o.program = cli_binary().string();
  o.args = args;
  o.env = kCleanEnv;
  o.stdout_path = dir.file("stdout");
  o.stderr_path = dir.file("stderr");
  CliResult r;
  auto child = testsupport::ChildProcess::spawn(o);
  if (!child.ok()) {
    r.err = child.error().message;
    r.status.exited = true;
    r.status.code = 127;
    return r;
  }
  r.status = child->wait_or_kill(timeout, &r.timed_out);
  r.out = testsupport::read_text_file(dir.file("stdout"));
  r.err = testsupport::read_text_file(dir.file("stderr"));
  return r;
}

CliResult run_cli_at(const std::string& endpoint, std::vector<std::string> args, std::chrono::milliseconds timeout) {
  args.insert(args.begin(), {"--api", endpoint});
  return run_cli(args, timeout);
}

BackgroundCli::BackgroundCli(const std::vector<std::string>& args) {
  testsupport::ChildOptions o;
  o.program = cli_binary().string();
  o.args = args;
  o.env = kCleanEnv;
  o.stdout_path = dir_.file("stdout");
  o.stderr_path = dir_.file("stderr");
  auto child = testsupport::ChildProcess::spawn(o);
  if (child.ok()) process_.emplace(std::move(*child));
}

BackgroundCli::~BackgroundCli() {
  if (process_ && !exit_) (void)kill();
}

std::string BackgroundCli::out() const { return testsupport::read_text_file(dir_.file("stdout")); }
std::string BackgroundCli::err() const { return testsupport::read_text_file(dir_.file("stderr")); }

bool BackgroundCli::wait_for_output(const std::function<bool(const std::string&)>& pred,
                                    std::chrono::milliseconds timeout) {
  return testsupport::wait_until(
      [&] {
        if (pred(out())) return true;
        if (!exit_ && process_) exit_ = process_->try_wait();
        return exit_.has_value() && !pred(out());
      },
      timeout, 50ms) &&
         pred(out());
}

std::optional<ExitStatus> BackgroundCli::wait_exit(std::chrono::milliseconds timeout) {
  if (!exit_ && process_) exit_ = process_->wait_for(timeout);
  return exit_;
}

ExitStatus BackgroundCli::kill() {
  if (!exit_ && process_) exit_ = process_->kill_and_wait();
  return exit_.value_or(ExitStatus{});
}

// ---- parsing -------------------------------------------------------------------------------------------

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& line : lines_of(text)) {
    std::vector<std::string> row;
    std::string field;
    size_t i = 0;
    while (true) {
      field.clear();
      if (i < line.size() && line[i] == '"') {
        ++i;
        while (true) {
          if (i >= line.size()) throw std::runtime_error("unterminated quoted CSV field: " + line);
          if (line[i] == '"') {
            if (i + 1 < line.size() && line[i + 1] == '"') {
              field += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          field += line[i++];
        }
        if (i < line.size() && line[i] != ',') throw std::runtime_error("text after a quoted CSV field: " + line);
      } else {
        while (i < line.size() && line[i] != ',') {
          if (line[i] == '"') throw std::runtime_error("quote inside an unquoted CSV field: " + line);
          field += line[i++];
        }
      }
      row.push_back(field);
      if (i >= line.size()) break;
      ++i;  // the comma
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::optional<int64_t> parse_iso_ms(const std::string& text) {
  // YYYY-MM-DDTHH:MM:SS.mmmZ
  if (text.size() != 24 || text[10] != 'T' || text[19] != '.' || text[23] != 'Z') return std::nullopt;
  std::tm tm{};
  if (strptime(text.substr(0, 19).c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return std::nullopt;
  const int64_t secs = static_cast<int64_t>(timegm(&tm));
  for (size_t i = 20; i < 23; ++i) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  return secs * 1000 + std::stoi(text.substr(20, 3));
}

Result<std::vector<TruthTransfer>> transfers_from_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  try {
    rows = parse_csv(text);
  } catch (const std::exception& e) {
    return make_error(Errc::kInvalidArgument, e.what());
  }
  const std::vector<std::string> header = {"block_num", "block_id", "timestamp", "tx_index", "event_index",
                                           "txid", "kind", "token", "token_symbol", "from", "to", "amount",
                                           "amount_formatted", "confirmations", "final"};
  if (rows.empty() || rows[0] != header) return make_error(Errc::kInvalidArgument, "CSV header missing or wrong");
  std::vector<TruthTransfer> out;
  for (size_t r = 1; r < rows.size(); ++r) {
    const auto& f = rows[r];
    if (f.size() != header.size()) {
      return make_error(Errc::kInvalidArgument, "CSV row " + std::to_string(r) + " has " + std::to_string(f.size()) +
                                                    " fields");
    }
    TruthTransfer t;
    try {
      t.block_num = std::stoull(f[0]);
      t.tx_index = static_cast<uint32_t>(std::stoul(f[3]));
      t.event_index = static_cast<uint32_t>(std::stoul(f[4]));
    } catch (const std::exception&) {
      return make_error(Errc::kInvalidArgument, "CSV row " + std::to_string(r) + ": bad number");
    }
    t.block_id = f[1];
    const auto ms = parse_iso_ms(f[2]);
    if (!ms) return make_error(Errc::kInvalidArgument, "CSV row " + std::to_string(r) + ": bad timestamp " + f[2]);
    t.timestamp_ms = *ms;
    t.txid = f[5];
    t.kind = f[6];
    t.token = f[7];
    t.from = f[9];
    t.to = f[10];
    t.amount = f[11];
    if (f[14] != "true" && f[14] != "false") return make_error(Errc::kInvalidArgument, "CSV final: " + f[14]);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<v1::Transfer>> protos_from_jsonl(const std::string& text) {
  std::vector<v1::Transfer> out;
  for (const auto& line : lines_of(text)) {
    v1::Transfer t;
    const auto s = google::protobuf::util::JsonStringToMessage(line, &t);
    if (!s.ok()) return make_error(Errc::kInvalidArgument, "not a Transfer JSON line: " + line);
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<TruthTransfer>> transfers_from_jsonl(const std::string& text) {
  TRONIDX_ASSIGN(auto protos, protos_from_jsonl(text));
  std::vector<TruthTransfer> out;
  for (const auto& t : protos) out.push_back(testsupport::from_proto(t));
  return out;
}

Result<std::vector<v1::Event>> events_from_jsonl(const std::string& text) {
  std::vector<v1::Event> out;
  for (const auto& line : lines_of(text)) {
    v1::Event e;
    const auto s = google::protobuf::util::JsonStringToMessage(line, &e);
    if (!s.ok()) return make_error(Errc::kInvalidArgument, "not an Event JSON line: " + line);
    out.push_back(std::move(e));
  }
  return out;
}

// ---- truth ---------------------------------------------------------------------------------------------

std::vector<TruthTransfer> history(const ChainTruth& truth, const std::string& address, uint64_t from, uint64_t to) {
  std::vector<TruthTransfer> out;
  for (const auto& t : truth.transfers) {
    if (t.kind == "TRC10" || t.block_num < from || t.block_num > to) continue;
    if (address.empty() || t.from == address || t.to == address) out.push_back(t);
  }
  return out;
}

std::string add_decimal(const std::string& a, const std::string& b) {
  auto x = chain::Amount::parse_decimal(a);
  auto y = chain::Amount::parse_decimal(b);
  if (!x.ok() || !y.ok()) throw std::runtime_error("bad decimal " + a + " / " + b);
  auto s = x->checked_add(*y);
  if (!s) throw std::runtime_error("overflow adding " + a + " and " + b);
  return s->to_decimal();
}

std::map<std::string, TokenTotals> totals(const std::vector<TruthTransfer>& transfers, const std::string& address) {
  std::map<std::string, TokenTotals> out;
  for (const auto& t : transfers) {
    auto& tot = out[t.token];
    ++tot.rows;
    if (t.to == address) tot.in = add_decimal(tot.in, t.amount);
    if (t.from == address) tot.out = add_decimal(tot.out, t.amount);
  }
  return out;
}

Result<std::unique_ptr<SimProcess>> start_fixed_sim(int prebuild, int solid_lag, uint64_t seed) {
  return apitest::start_sim({"--seed", std::to_string(seed), "--profile", "small", "--txs-per-block", "12",
                             "--block-interval-ms", "0", "--prebuild", std::to_string(prebuild), "--solid-lag",
                             std::to_string(solid_lag), "--hot-addresses", "3", "--hot-share", "0.3"});
}

}  // namespace tronidx::clitest
