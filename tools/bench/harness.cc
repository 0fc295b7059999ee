#include "harness.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace tronidx::bench {

std::string format_value(double v) {
  char buf[64];
  if (v >= 100) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v >= 1) {
    std::snprintf(buf, sizeof buf, "%.2f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4f", v);
  }
  return buf;
}

namespace {

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

uint64_t proc_status_kb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoull(line.substr(prefix.size())) * 1024;
  }
  return 0;
}

}  // namespace

void Report::add(Figure f) { figures_.push_back(std::move(f)); }

std::string Report::table() const {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-4s %-44s %14s %-10s %14s %7s  %-8s %s\n", "", "figure", "value", "unit",
                "limit", "ratio", "target", "");
  out << line;
  for (const auto& f : figures_) {
    const std::string limit = f.limit ? format_value(*f.limit) : "-";
    const std::string ratio = f.limit && *f.limit > 0 ? format_value(100.0 * f.value / *f.limit) + "%" : "-";
    const std::string met = !f.met ? "" : *f.met ? "met" : "NOT met";
    std::snprintf(line, sizeof line, "%-4s %-44s %14s %-10s %14s %7s  %-8s %s\n", f.scenario.c_str(), f.name.c_str(),
                  format_value(f.value).c_str(), f.unit.c_str(), limit.c_str(), ratio.c_str(), met.c_str(),
                  (f.target.empty() ? f.note : f.target + (f.note.empty() ? "" : "; " + f.note)).c_str());
    out << line;
  }
  return out.str();
}

std::string Report::json(const std::string& machine) const {
  std::ostringstream out;
  out << "{\"machine\":\"" << json_escape(machine) << "\",\"figures\":[";
  for (size_t i = 0; i < figures_.size(); ++i) {
    const auto& f = figures_[i];
    out << (i ? "," : "") << "{\"scenario\":\"" << f.scenario << "\",\"name\":\"" << json_escape(f.name)
        << "\",\"value\":" << f.value << ",\"unit\":\"" << json_escape(f.unit) << "\"";
    if (f.limit) out << ",\"limit\":" << *f.limit << ",\"limit_name\":\"" << json_escape(f.limit_name) << "\"";
    if (!f.target.empty()) out << ",\"target\":\"" << json_escape(f.target) << "\"";
    if (f.met) out << ",\"met\":" << (*f.met ? "true" : "false");
    if (!f.note.empty()) out << ",\"note\":\"" << json_escape(f.note) << "\"";
    out << "}";
  }
  out << "]}\n";
  return out.str();
}

Result<std::unique_ptr<testsupport::SimProcess>> start_prebuilt_sim(uint64_t blocks, const std::string& profile,
                                                                    std::vector<std::string> extra) {
  testsupport::SimOptions o;
  o.args = {"--profile", profile, "--prebuild", std::to_string(blocks), "--block-interval-ms", "0", "--seed", "7"};
  o.args.insert(o.args.end(), extra.begin(), extra.end());
  o.start_timeout = std::chrono::minutes(10);
  return testsupport::SimProcess::start(o);
}

uint64_t peak_rss_bytes(pid_t pid) { return proc_status_kb(pid, "VmHWM"); }
uint64_t rss_bytes(pid_t pid) { return proc_status_kb(pid, "VmRSS"); }

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(in, line);
  // "pid (comm) state ...": utime and stime are fields 14 and 15, the 12th and 13th after the ')'.
  const size_t close = line.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(line.substr(close + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i == 12) utime = std::stoull(field);
    if (i == 13) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string label;
  in >> label;  // "cpu": the sum over all cores, then user nice system idle iowait irq softirq steal ...
  MachineCpu out;
  uint64_t v = 0;
  for (int i = 1; i <= 8 && in >> v; ++i) {
    out.total += v;
    if (i == 8) out.steal = v;
  }
  return label == "cpu" ? out : MachineCpu{};
}

double steal_percent(const MachineCpu& before, const MachineCpu& after) {
  const uint64_t total = after.total - before.total;
  return total == 0 ? 0 : 100.0 * static_cast<double>(after.steal - before.steal) / static_cast<double>(total);
}

Result<CatchUpTiming> time_catch_up(testsupport::DaemonProcess& d, uint64_t from_block, uint64_t to_block,
                                    std::chrono::steady_clock::time_point start, std::chrono::seconds timeout,
                                    const std::vector<pid_t>& cpu_of) {
  using Clock = std::chrono::steady_clock;
  CatchUpTiming t;
  std::vector<double> cpu_first(cpu_of.size());
  auto read_cpu = [&](std::vector<double>& into) {
    for (size_t i = 0; i < cpu_of.size(); ++i) into[i] = cpu_seconds(cpu_of[i]);
  };
  const uint64_t span = to_block > from_block ? to_block - from_block : 1;
  const uint64_t at10 = from_block + span / 10, at90 = from_block + span * 9 / 10;
  std::optional<std::pair<Clock::time_point, uint64_t>> first, last;
  while (Clock::now() - start < timeout) {
    auto st = d.status();
    const auto now = Clock::now();
    t.max_rss = std::max(t.max_rss, rss_bytes(d.process().pid()));
    if (st.ok()) {
      const uint64_t tip = st->tip_block_num();
      if (!first && tip >= at10) {
        first.emplace(now, tip);
        read_cpu(cpu_first);
      }
      if (!last && tip >= at90) {
        last.emplace(now, tip);
        t.cpu_steady_s.resize(cpu_of.size());
        read_cpu(t.cpu_steady_s);
        for (size_t i = 0; i < cpu_of.size(); ++i) t.cpu_steady_s[i] -= cpu_first[i];
      }
      if (tip >= to_block) {
        t.seconds_total = std::chrono::duration<double>(now - start).count();
        if (!first || !last || last->second <= first->second) {
          // Not one sample inside the range: a rate from start-up to the end would be mostly start-up.
          return make_error(Errc::kFailedPrecondition,
                            "catch-up to block " + std::to_string(to_block) +
                                " ended before it could be sampled; run with more --blocks");
        }
        t.seconds_steady = std::chrono::duration<double>(last->first - first->first).count();
        t.blocks_steady = last->second - first->second;
        t.max_rss = std::max(t.max_rss, peak_rss_bytes(d.process().pid()));
        return t;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return make_error(Errc::kDeadlineExceeded, "catch-up did not reach block " + std::to_string(to_block));
}

Status hold_infos(const testsupport::SimProcess& sim, bool hold) {
  tronsim::v1::FaultConfig f;
  if (hold) {
    f.set_unavailable_rate(1.0);
    f.set_unavailable_scope(tronsim::v1::SCOPE_INFOS);
  }
  return sim.set_faults(f);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, static_cast<size_t>(q * static_cast<double>(v.size())));
  return v[i];
}

}  // namespace tronidx::bench

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace tronidx::bench {

namespace {

std::string http_get_metrics(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return "";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {  // NOLINT
    ::close(fd);
    return "";
  }
  const std::string req = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return "";
  }
  std::string body;
  char buf[65536];
  ssize_t n = 0;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) body.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return body;
}

}  // namespace

std::vector<std::pair<double, double>> scrape_histogram(int port, const std::string& name) {
  std::vector<std::pair<double, double>> out;
  std::istringstream in(http_get_metrics(port));
  std::string line;
  const std::string prefix = name + "_bucket{le=\"";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) != 0) continue;
    const size_t q = line.find('"', prefix.size());
    const std::string le = line.substr(prefix.size(), q - prefix.size());
    const double bound = le == "+Inf" ? 1e300 : std::stod(le);
    out.emplace_back(bound, std::stod(line.substr(line.rfind(' ') + 1)));
  }
  return out;
}

std::optional<double> histogram_delta_quantile(const std::vector<std::pair<double, double>>& before,
                                               const std::vector<std::pair<double, double>>& after, double q) {
  if (before.size() != after.size() || after.empty()) return std::nullopt;
  const double total = after.back().second - before.back().second;
  if (total <= 0) return std::nullopt;
  for (size_t i = 0; i < after.size(); ++i) {
    if (after[i].second - before[i].second >= q * total) return after[i].first;
  }
  return after.back().first;
}

std::vector<std::optional<double>> scrape_metrics(int port, const std::vector<std::string>& series) {
  std::vector<std::optional<double>> out(series.size());
  std::istringstream in(http_get_metrics(port));
  std::string line;
  while (std::getline(in, line)) {
    for (size_t i = 0; i < series.size(); ++i) {
      if (!out[i] && line.rfind(series[i] + " ", 0) == 0) out[i] = std::stod(line.substr(series[i].size() + 1));
    }
  }
  return out;
}

std::optional<double> scrape_metric(int port, const std::string& series) { return scrape_metrics(port, {series})[0]; }

testsupport::DaemonOptions bench_daemon(const testsupport::SimProcess& sim, const std::string& mode, int concurrency,
                                        int metrics_port) {
  testsupport::DaemonOptions o;
  o.node_endpoints = {sim.full_node_endpoint()};
  o.mode = mode;
  o.start_block = 1;
  o.log_level = "warn";
  o.start_timeout = std::chrono::minutes(5);
  o.sync_settings = {"fetch_concurrency = " + std::to_string(concurrency)};
  o.extra_toml = "[metrics]\nlisten = \"127.0.0.1:" + std::to_string(metrics_port) + "\"\n";
  return o;
}

}  // namespace tronidx::bench
