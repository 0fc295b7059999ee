#pragma once
// A fresh directory for one test, removed with everything in it when the TempDir is destroyed
// (unless the environment variable TRONIDX_KEEP_TEMP is set, to inspect a failure).

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace tronidx::testsupport {

class TempDir {
 public:
  // Creates <$TMPDIR or /tmp>/<prefix>-XXXXXX. Throws std::runtime_error if that fails (a broken test
  // machine, not a test outcome).
  explicit TempDir(std::string_view prefix = "tronidx-test");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const noexcept { return path_; }
  // path() / name (not created).
  std::filesystem::path file(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// The whole content of a file ("" if it does not exist or cannot be read).
std::string read_text_file(const std::filesystem::path& path);
// The last `n` characters of `text` (all of it when shorter): the end of a log, for a failure message.
std::string tail(const std::string& text, size_t n = 4000);

}  // namespace tronidx::testsupport
