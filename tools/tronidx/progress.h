#pragma once
// Progress reporting for long jobs: a redrawn bar with rate and ETA on a terminal, plain lines otherwise.

#include <chrono>
#include <cstdint>
#include <string>

#include "client.h"
#include "output.h"

namespace tronidx::cli {

class Progress {
 public:
  // `total` units (blocks); writes to stderr.
  Progress(std::string label, uint64_t total);
  void update(uint64_t done, const std::string& detail = "");
  void finish(const std::string& summary);

 private:
  std::string label_;
  uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_, last_print_;
};

// Polls Admin.GetJob until the job ends, showing progress. 0 when done (verify: and no mismatch), 1 otherwise.
int wait_for_job(Client& client, uint64_t job_id, Format format);

}  // namespace tronidx::cli
