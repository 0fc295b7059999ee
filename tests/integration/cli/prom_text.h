#pragma once
// A strict parser of the Prometheus text exposition format 0.0.4, written for the tests (it accepts less
// than Prometheus does, never more): "# HELP"/"# TYPE" lines at most once per family and before its
// samples, a family's samples contiguous, valid metric and label names, escaped label values, float
// values (+Inf/-Inf/NaN), no duplicate series, counters >= 0, and histograms made of _bucket (with `le`,
// ascending, cumulative, ending at +Inf), _sum and _count with the +Inf bucket equal to _count.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tronidx/chain/result.h"

namespace tronidx::clitest {

struct PromSample {
  std::string name;                           // with its _bucket/_sum/_count suffix
  std::map<std::string, std::string> labels;  // unescaped values
  double value = 0;
};

struct PromFamily {
  std::string name;
  std::string type = "untyped";  // counter | gauge | histogram | summary | untyped
  std::string help;
  std::vector<PromSample> samples;
};

struct PromText {
  std::map<std::string, PromFamily> families;
  // The value of the series `name` with exactly `labels`, if present.
  std::optional<double> value(const std::string& name, const std::map<std::string, std::string>& labels = {}) const;
};

// The error names the line number and what is wrong.
Result<PromText> parse_prometheus(const std::string& text);

}  // namespace tronidx::clitest
