// The test-support helpers other integration tests rely on: ChildProcess (args, env, output files,
// exit status, signals, deadlines, exec failures), TempDir and wait_until.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>

#include "testsupport/child_process.h"
#include "testsupport/temp_dir.h"
#include "testsupport/wait.h"

namespace tronidx::testsupport {
namespace {

using std::chrono::milliseconds;

TEST(ChildProcessTest, PassesArgsAndEnvAndCapturesOutputAndExitCode) {
  TempDir dir("child");
  ChildOptions o;
  o.program = "/bin/sh";
  o.args = {"-c", "echo \"$1 $GREETING\"; echo oops >&2; exit 3", "sh", "hello"};
  o.env = {{"GREETING", "world"}};
  o.stdout_path = dir.file("out");
  o.stderr_path = dir.file("err");
  auto child = ChildProcess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().message;
  const auto exit = child->wait_for(milliseconds(10000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_TRUE(exit->exited);
  EXPECT_EQ(exit->code, 3);
  EXPECT_EQ(exit->describe(), "exit code 3");
  EXPECT_EQ(read_text_file(dir.file("out")), "hello world\n");
  EXPECT_EQ(read_text_file(dir.file("err")), "oops\n");
  EXPECT_FALSE(child->signal(SIGTERM).ok()) << "already reaped";
}

TEST(ChildProcessTest, WaitTimesOutThenSignalsEndTheChild) {
  ChildOptions o;
  o.program = "sleep";  // found in PATH
  o.args = {"30"};
  auto child = ChildProcess::spawn(o);
  ASSERT_TRUE(child.ok()) << child.error().message;
  EXPECT_FALSE(child->wait_for(milliseconds(50)).has_value());
  EXPECT_TRUE(child->running());
  ASSERT_TRUE(child->signal(SIGTERM).ok());
  const auto exit = child->wait_for(milliseconds(10000));
  ASSERT_TRUE(exit.has_value());
  EXPECT_FALSE(exit->exited);
  EXPECT_EQ(exit->signal, SIGTERM);

  auto second = ChildProcess::spawn(o);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->kill_and_wait().signal, SIGKILL);
}

TEST(ChildProcessTest, ExecFailureIsReportedBySpawn) {
  ChildOptions o;
  o.program = "/nonexistent/program";
  auto child = ChildProcess::spawn(o);
  ASSERT_FALSE(child.ok());
  EXPECT_NE(child.error().message.find("/nonexistent/program"), std::string::npos) << child.error().message;
}

TEST(TempDirTest, IsCreatedAndRemoved) {
  std::filesystem::path kept;
  {
    TempDir dir("tempdir-test");
    kept = dir.path();
    EXPECT_TRUE(std::filesystem::is_directory(kept));
    std::filesystem::create_directories(dir.file("a/b"));
  }
  EXPECT_FALSE(std::filesystem::exists(kept));
}

TEST(WaitUntilTest, ReturnsAsSoonAsThePredicateHoldsOrFalseAtTheDeadline) {
  int calls = 0;
  EXPECT_TRUE(wait_until([&] { return ++calls == 3; }, milliseconds(5000), milliseconds(1)));
  EXPECT_EQ(calls, 3);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE(wait_until([] { return false; }, milliseconds(50)));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, milliseconds(50));
}

}  // namespace
}  // namespace tronidx::testsupport
