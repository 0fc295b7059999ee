#include "progress.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <optional>
#include <thread>

#include "commands.h"

namespace tronidx::cli {

Progress::Progress(std::string label, uint64_t total)
    : label_(std::move(label)),
      total_(total),
      tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_ - std::chrono::hours(1)) {}

void Progress::update(uint64_t done, const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  const auto min_gap = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
  if (now - last_print_ < min_gap) return;
  last_print_ = now;
  const double secs = std::chrono::duration<double>(now - start_).count();
  const double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  const double frac = total_ > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_)) : 0;
  const double eta = rate > 0 && total_ > done ? static_cast<double>(total_ - done) / rate : 0;
  char line[256];
  if (tty_) {
    const int width = 30;
    const int filled = static_cast<int>(frac * width);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(width - filled), '.');
    std::snprintf(line, sizeof line, "\r%s [%s] %5.1f%% %llu/%llu %.0f/s ETA %.0fs %s\033[K", label_.c_str(),
                  bar.c_str(), frac * 100, static_cast<unsigned long long>(done),
                  static_cast<unsigned long long>(total_), rate, eta, detail.c_str());
  } else {
    std::snprintf(line, sizeof line, "%s: %llu/%llu (%.1f%%) %.0f/s ETA %.0fs %s\n", label_.c_str(),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), frac * 100, rate, eta,
                  detail.c_str());
  }
  std::cerr << line << std::flush;
}

void Progress::finish(const std::string& summary) {
  if (tty_) std::cerr << "\r\033[K";
  std::cerr << label_ << ": " << summary << "\n";
}

int wait_for_job(Client& client, uint64_t job_id, Format format) {
  std::optional<Progress> progress;
  while (true) {
    v1::GetJobRequest req;
    req.set_id(job_id);
    v1::Job job;
    auto ctx = client.context();
    auto s = client.admin().GetJob(ctx.get(), req, &job);
    if (!s.ok()) return fail(s, "job " + std::to_string(job_id), client);
    if (!progress) progress.emplace(job.kind() + " job " + std::to_string(job_id), job.to_block() - job.from_block() + 1);
    const uint64_t done = job.next_block() > job.from_block() ? job.next_block() - job.from_block() : 0;
    if (job.state() != "running") {
      if (format == Format::kJson) std::cout << to_json_line(job) << "\n";
      for (const auto& m : job.mismatch_details()) std::cout << "MISMATCH " << m << "\n";
      std::string summary = job.state() + ", " + std::to_string(job.items()) + " items";
      if (job.kind() == "verify") summary += ", " + std::to_string(job.mismatches()) + " mismatches";
      if (!job.error().empty()) summary += ": " + job.error();
      progress->finish(summary);
      return job.state() == "done" && job.mismatches() == 0 ? kExitOk : kExitFailure;
    }
    progress->update(done, std::to_string(job.items()) + " items");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace tronidx::cli
