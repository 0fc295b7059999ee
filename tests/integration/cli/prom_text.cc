#include "prom_text.h"

#include <cmath>
#include <cstdlib>
#include <set>
#include <sstream>

namespace tronidx::clitest {
namespace {

bool name_char(char c, bool first, bool colon_ok) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon_ok && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid_name(const std::string& s, bool colon_ok) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (!name_char(s[i], i == 0, colon_ok)) return false;
  }
  return true;
}

std::optional<double> parse_value(const std::string& s) {
  if (s == "+Inf" || s == "Inf") return HUGE_VAL;
  if (s == "-Inf") return -HUGE_VAL;
  if (s == "NaN") return std::nan("");
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return std::nullopt;
  // strtod also takes hex floats and "inf"/"nan" spellings Prometheus does not.
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) return std::nullopt;
  }
  return v;
}

// The family a sample name belongs to, given the declared families (histogram suffixes).
std::string family_of(const std::string& sample, const std::map<std::string, PromFamily>& families) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string suf = suffix;
    if (sample.size() > suf.size() && sample.compare(sample.size() - suf.size(), suf.size(), suf) == 0) {
      const std::string base = sample.substr(0, sample.size() - suf.size());
      auto it = families.find(base);
      if (it != families.end() && (it->second.type == "histogram" || it->second.type == "summary")) return base;
    }
  }
  return sample;
}

struct Parser {
  PromText out;
  std::string current;            // family whose samples are being read
  std::set<std::string> closed;   // families whose samples ended (must not reappear)
  std::set<std::string> series;   // name + labels seen
  size_t line_no = 0;

  Error err(const std::string& what) const {
    return make_error(Errc::kInvalidArgument, "line " + std::to_string(line_no) + ": " + what);
  }

  // Switches the current family, enforcing contiguity.
  Status enter(const std::string& family) {
    if (family == current) return ok_status();
    if (closed.count(family) != 0) return err("samples of " + family + " are not contiguous");
    if (!current.empty()) closed.insert(current);
    current = family;
    return ok_status();
  }

  Status comment(const std::string& line) {
    std::istringstream in(line.substr(1));
    std::string kw, name;
    in >> kw;
    if (kw != "HELP" && kw != "TYPE") return ok_status();  // a plain comment
    if (!(in >> name) || !valid_name(name, true)) return err("bad metric name in # " + kw);
    std::string rest;
    std::getline(in, rest);
    if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
    auto& f = out.families[name];
    f.name = name;
    if (kw == "HELP") {
      if (!f.help.empty()) return err("second HELP for " + name);
      if (rest.empty()) return err("empty HELP for " + name);
      f.help = rest;
      return ok_status();
    }
    static const std::set<std::string> kTypes = {"counter", "gauge", "histogram", "summary", "untyped"};
    if (kTypes.count(rest) == 0) return err("unknown TYPE \"" + rest + "\" for " + name);
    if (!f.samples.empty()) return err("TYPE of " + name + " after its samples");
    if (f.type != "untyped" || closed.count(name) != 0) return err("second TYPE for " + name);
    f.type = rest;
    return enter(name);
  }

  Status sample(const std::string& line) {
    PromSample s;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    s.name = line.substr(0, i);
    if (!valid_name(s.name, true)) return err("bad metric name \"" + s.name + "\"");
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (true) {
        if (i < line.size() && line[i] == '}') {
          ++i;
          break;
        }
        size_t j = i;
        while (j < line.size() && line[j] != '=') ++j;
        const std::string lname = line.substr(i, j - i);
        if (!valid_name(lname, false)) return err("bad label name \"" + lname + "\"");
        if (j + 1 >= line.size() || line[j + 1] != '"') return err("label value not quoted");
        std::string value;
        size_t k = j + 2;
        for (;; ++k) {
          if (k >= line.size()) return err("unterminated label value");
          if (line[k] == '"') break;
          if (line[k] == '\\') {
            if (k + 1 >= line.size()) return err("dangling escape");
            const char e = line[++k];
            if (e == 'n') value += '\n';
            else if (e == '\\' || e == '"') value += e;
            else return err("bad escape \\" + std::string(1, e));
          } else {
            value += line[k];
          }
        }
        if (!s.labels.emplace(lname, value).second) return err("label " + lname + " twice");
        i = k + 1;
        if (i < line.size() && line[i] == ',') {
          ++i;
        } else if (i >= line.size() || line[i] != '}') {
          return err("expected , or } after a label");
        }
      }
    }
    if (i >= line.size() || line[i] != ' ') return err("no value");
    std::istringstream rest(line.substr(i + 1));
    std::string value, timestamp, extra;
    rest >> value >> timestamp >> extra;
    if (!extra.empty()) return err("trailing text");
    const auto v = parse_value(value);
    if (!v) return err("bad value \"" + value + "\"");
    if (!timestamp.empty() && timestamp.find_first_not_of("-0123456789") != std::string::npos) {
      return err("bad timestamp");
    }
    s.value = *v;
    const std::string fam = family_of(s.name, out.families);
    TRONIDX_TRY(enter(fam));
    auto& f = out.families[fam];
    f.name = fam;
    std::string key = s.name;
    for (const auto& [k, val] : s.labels) key += "|" + k + "=" + val;
    if (!series.insert(key).second) return err("duplicate series " + key);
    if (f.type == "counter" && !(s.value >= 0)) return err("negative or NaN counter " + s.name);
    if (f.type == "histogram") {
      if (s.name == fam + "_bucket") {
        if (s.labels.count("le") == 0) return err("bucket without le");
        if (!parse_value(s.labels.at("le"))) return err("bad le \"" + s.labels.at("le") + "\"");
      } else if (s.name != fam + "_sum" && s.name != fam + "_count") {
        return err("histogram " + fam + " has a sample " + s.name);
      }
    }
    f.samples.push_back(std::move(s));
    return ok_status();
  }
};

// Per label set (without le): buckets ascending and cumulative, +Inf present and equal to _count.
Status check_histogram(const PromFamily& f) {
  struct Series {
    std::vector<std::pair<double, double>> buckets;  // le, value in order of appearance
    std::optional<double> sum, count;
  };
  std::map<std::map<std::string, std::string>, Series> by_labels;
  for (const auto& s : f.samples) {
    auto labels = s.labels;
    labels.erase("le");
    auto& ser = by_labels[labels];
    if (s.name == f.name + "_bucket") {
      ser.buckets.emplace_back(*parse_value(s.labels.at("le")), s.value);
    } else if (s.name == f.name + "_sum") {
      ser.sum = s.value;
    } else {
      ser.count = s.value;
    }
  }
  if (by_labels.empty()) return make_error(Errc::kInvalidArgument, f.name + ": histogram without samples");
  for (const auto& [labels, ser] : by_labels) {
    std::string where = f.name;
    for (const auto& [k, v] : labels) where += " " + k + "=" + v;
    if (!ser.sum || !ser.count) return make_error(Errc::kInvalidArgument, where + ": _sum or _count missing");
    if (ser.buckets.empty() || !std::isinf(ser.buckets.back().first)) {
      return make_error(Errc::kInvalidArgument, where + ": no le=\"+Inf\" bucket last");
    }
    for (size_t i = 1; i < ser.buckets.size(); ++i) {
      if (!(ser.buckets[i].first > ser.buckets[i - 1].first)) {
        return make_error(Errc::kInvalidArgument, where + ": le bounds not ascending");
      }
      if (ser.buckets[i].second < ser.buckets[i - 1].second) {
        return make_error(Errc::kInvalidArgument, where + ": buckets not cumulative");
      }
    }
    if (ser.buckets.back().second != *ser.count) {
      return make_error(Errc::kInvalidArgument, where + ": +Inf bucket " + std::to_string(ser.buckets.back().second) +
                                                    " != _count " + std::to_string(*ser.count));
    }
    if (*ser.count < 0 || *ser.sum < 0) return make_error(Errc::kInvalidArgument, where + ": negative sum or count");
  }
  return ok_status();
}

}  // namespace

std::optional<double> PromText::value(const std::string& name, const std::map<std::string, std::string>& labels) const {
  for (const auto& [fam, f] : families) {
    for (const auto& s : f.samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
  }
  return std::nullopt;
}

Result<PromText> parse_prometheus(const std::string& text) {
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty exposition");
  if (text.back() != '\n') return make_error(Errc::kInvalidArgument, "the last line does not end with \\n");
  Parser p;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    ++p.line_no;
    if (line.empty()) continue;
    if (!line.empty() && line.back() == '\r') return p.err("CR line ending");
    if (line[0] == '#') {
      TRONIDX_TRY(p.comment(line));
    } else {
      TRONIDX_TRY(p.sample(line));
    }
  }
  for (const auto& [name, f] : p.out.families) {
    if (f.type == "histogram") TRONIDX_TRY(check_histogram(f));
  }
  return p.out;
}

}  // namespace tronidx::clitest
