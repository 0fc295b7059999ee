#include "testsupport/child_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace tronidx::testsupport {
namespace {

ExitStatus decode(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

// Everything the child needs, prepared before fork(): after it only async-signal-safe calls are made.
struct ExecPlan {
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  std::string out_path;
  std::string err_path;
};

ExecPlan plan(const ChildOptions& o) {
  ExecPlan p;
  p.argv_storage.push_back(o.program);
  p.argv_storage.insert(p.argv_storage.end(), o.args.begin(), o.args.end());
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry(*e);
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : o.env) env[k] = v;
  for (const auto& [k, v] : env) p.env_storage.push_back(k + "=" + v);
  for (auto& s : p.argv_storage) p.argv.push_back(s.data());
  p.argv.push_back(nullptr);
  for (auto& s : p.env_storage) p.envp.push_back(s.data());
  p.envp.push_back(nullptr);
  p.out_path = o.stdout_path.empty() ? "/dev/null" : o.stdout_path.string();
  p.err_path = o.stderr_path.empty() ? "/dev/null" : o.stderr_path.string();
  return p;
}

// In the child. Never returns: execs or reports errno through `report` and exits 127.
[[noreturn]] void exec_child(const ExecPlan& p, pid_t parent, int report, bool search_path) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);  // the parent already died
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP}) signal(sig, SIG_DFL);
  const int in = open("/dev/null", O_RDONLY);
  const int out = open(p.out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err = open(p.err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
    const int e = errno;
    (void)!write(report, &e, sizeof e);
    _exit(127);
  }
  // Nothing else is inherited: every other descriptor (the report pipe included) closes on exec.
  if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 4096; ++fd) {
      if (fd != report) close(fd);
    }
  }
  if (search_path) {
    execvpe(p.argv[0], p.argv.data(), p.envp.data());
  } else {
    execve(p.argv[0], p.argv.data(), p.envp.data());
  }
  const int e = errno;
  (void)!write(report, &e, sizeof e);
  _exit(127);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

Result<ChildProcess> ChildProcess::spawn(const ChildOptions& options) {
  if (options.program.empty()) return make_error(Errc::kInvalidArgument, "program: empty");
  const ExecPlan p = plan(options);
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return make_error(Errc::kUnavailable, std::string("pipe2: ") + strerror(errno));
  const pid_t parent = getpid();
  const bool search_path = options.program.find('/') == std::string::npos;
  const pid_t pid = fork();
  if (pid < 0) {
    const int e = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return make_error(Errc::kUnavailable, std::string("fork: ") + strerror(e));
  }
  if (pid == 0) {
    close(pipefd[0]);
    exec_child(p, parent, pipefd[1], search_path);
  }
  close(pipefd[1]);
  int child_errno = 0;
  ssize_t n;
  do {
    n = read(pipefd[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close(pipefd[0]);
  ChildProcess child(pid);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    child.kill_and_wait();
    return make_error(Errc::kUnavailable, "cannot execute " + options.program + ": " + strerror(child_errno));
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), exit_(other.exit_) { other.pid_ = -1; }

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !exit_) kill_and_wait();
    pid_ = other.pid_;
    exit_ = other.exit_;
    other.pid_ = -1;
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_) kill_and_wait();
}

Status ChildProcess::signal(int sig) const {
  if (pid_ <= 0 || exit_) return make_error(Errc::kFailedPrecondition, "the child has already exited");
  if (::kill(pid_, sig) != 0) return make_error(Errc::kUnavailable, std::string("kill: ") + strerror(errno));
  return ok_status();
}

std::optional<ExitStatus> ChildProcess::try_wait() {
  if (exit_ || pid_ <= 0) return exit_;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) exit_ = decode(status);
  return exit_;
}

std::optional<ExitStatus> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    if (auto s = try_wait()) return s;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

ExitStatus ChildProcess::wait_or_kill(std::chrono::milliseconds timeout, bool* timed_out) {
  auto st = wait_for(timeout);
  if (timed_out != nullptr) *timed_out = !st.has_value();
  return st ? *st : kill_and_wait();
}

ExitStatus ChildProcess::kill_and_wait() {
  if (exit_) return *exit_;
  if (pid_ <= 0) return ExitStatus{};
  ::kill(pid_, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = waitpid(pid_, &status, 0);
  } while (r < 0 && errno == EINTR);
  exit_ = r == pid_ ? decode(status) : ExitStatus{};
  return *exit_;
}

}  // namespace tronidx::testsupport
