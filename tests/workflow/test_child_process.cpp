// run_process with real programs (sh, python3, env): exit codes and signals, the
// environment and working directory, log files and capture (also past the limit,
// without deadlock), start errors, and timeouts / cancellation / leftovers that
// must end the whole process group, grandchildren included.
#include "orrery/workflow/child_process.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace orrery::workflow;
using orrery::test::TempDir;

namespace {

ProcessSpec sh(const std::string& script) {
    ProcessSpec spec;
    spec.program = "sh";
    spec.args = {"-c", script};
    return spec;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void write_script(const fs::path& p, const std::string& text, bool executable = true) {
    std::ofstream(p, std::ios::binary) << text;
    fs::permissions(p, executable ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write);
}

/// Running, as opposed to gone or a zombie (an orphan's zombie stays where init does not reap).
bool running(pid_t pid) {
    if (::kill(pid, 0) != 0) return false;
    const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    const auto close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

/// The first line of a script's output is the pid it printed ($! of a background child).
pid_t first_pid(const std::string& output) {
    REQUIRE(!output.empty());
    return static_cast<pid_t>(std::stol(output.substr(0, output.find('\n'))));
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("exit codes: zero, a status, a signal") {
    const ProcessResult zero = run_process(sh("exit 0"));
    CHECK(zero.ok());
    CHECK(zero.exit_code == 0);
    CHECK(zero.signal == 0);
    CHECK(describe_exit(zero) == "exit code 0");

    const ProcessResult three = run_process(sh("echo partial; exit 3"));
    CHECK_FALSE(three.ok());
    CHECK(three.exit_code == 3);
    CHECK(three.output == "partial\n");
    CHECK(describe_exit(three) == "exit code 3");

    const ProcessResult killed = run_process(sh("kill -9 $$"));
    CHECK_FALSE(killed.ok());
    CHECK(killed.signal == SIGKILL);
    CHECK(killed.exit_code == 128 + SIGKILL);
    CHECK(describe_exit(killed) == "killed by signal 9 (SIGKILL)");
    CHECK_FALSE(killed.timed_out);
}

TEST_CASE("stdout and stderr are both captured and stdin is empty") {
    // cat would wait forever on an inherited terminal or pipe: /dev/null ends it at once
    const ProcessResult r = run_process(sh("cat; echo out; echo err >&2"));
    REQUIRE(r.ok());
    CHECK(r.output == "out\nerr\n");
    CHECK(r.output_dropped == 0);
}

TEST_CASE("the environment is inherited, overridden, or given alone") {
    ::setenv("ORRERY_TEST_INHERITED", "from-parent", 1);
    ::setenv("ORRERY_TEST_OVERRIDDEN", "parent-value", 1);
    ProcessSpec spec = sh("echo \"$ORRERY_TEST_INHERITED|$ORRERY_TEST_OVERRIDDEN|$ORRERY_TEST_NEW\"");
    spec.env = {{"ORRERY_TEST_OVERRIDDEN", "child-value"}, {"ORRERY_TEST_NEW", "new"}};
    ProcessResult r = run_process(spec);
    REQUIRE(r.ok());
    CHECK(r.output == "from-parent|child-value|new\n");

    SECTION("inherit_environment = false passes only env") {
        ProcessSpec alone;
        alone.program = "/usr/bin/env";  // a path: without PATH in the child, a name still resolves here
        alone.inherit_environment = false;
        alone.env = {{"ONLY_THIS", "yes"}, {"AND_THIS", "too"}};
        r = run_process(alone);
        REQUIRE(r.ok());
        CHECK(r.output == "AND_THIS=too\nONLY_THIS=yes\n");  // sorted: the same spec, the same environment
    }
    SECTION("the merge is deterministic and overrides win") {
        const auto merged = child_environment(spec);
        CHECK(merged.at("ORRERY_TEST_INHERITED") == "from-parent");
        CHECK(merged.at("ORRERY_TEST_OVERRIDDEN") == "child-value");
        CHECK(merged == child_environment(spec));
    }
    SECTION("a PATH override is where a program name is looked up") {
        const TempDir dir("orrery_wf_path");
        write_script(dir / "orrery-test-tool", "#!/bin/sh\necho tool \"$@\"\n");
        ProcessSpec tool;
        tool.program = "orrery-test-tool";
        tool.args = {"a b"};
        tool.env = {{"PATH", dir.path().string() + ":/usr/bin:/bin"}};
        r = run_process(tool);
        REQUIRE(r.ok());
        CHECK(r.output == "tool a b\n");
    }
    ::unsetenv("ORRERY_TEST_INHERITED");
    ::unsetenv("ORRERY_TEST_OVERRIDDEN");
}

TEST_CASE("the working directory is honoured and a missing one is an error naming it") {
    const TempDir dir("orrery_wf_cwd");
    ProcessSpec spec = sh("pwd; echo made > here.txt");
    spec.cwd = dir.path();
    const ProcessResult r = run_process(spec);
    REQUIRE(r.ok());
    CHECK(fs::equivalent(fs::path(r.output.substr(0, r.output.size() - 1)), dir.path()));
    CHECK(read_file(dir / "here.txt") == "made\n");

    SECTION("a relative program path starts at cwd") {
        fs::create_directories(dir / "bin");
        write_script(dir / "bin/run.sh", "#!/bin/sh\necho ran in \"$(basename \"$PWD\")\"\n");
        ProcessSpec script;
        script.program = "./bin/run.sh";
        script.cwd = dir.path();
        ProcessResult s = run_process(script);
        REQUIRE(s.ok());
        CHECK(s.output == "ran in " + dir.path().filename().string() + "\n");
        script.cwd = fs::relative(dir.path(), fs::current_path());  // both relative: still the one file
        REQUIRE(script.cwd.is_relative());
        s = run_process(script);
        REQUIRE(s.ok());
        CHECK(s.output == "ran in " + dir.path().filename().string() + "\n");
    }
    SECTION("missing") {
        spec.cwd = dir / "no-such-dir";
        CHECK_THROWS_AS(run_process(spec), orrery::StepError);
        CHECK_THROWS_WITH(run_process(spec), "cannot start 'sh': working directory '" + (dir / "no-such-dir").string() + "' does not exist");
    }
    SECTION("not a directory") {
        std::ofstream(dir / "file") << "x";
        spec.cwd = dir / "file";
        CHECK_THROWS_WITH(run_process(spec), Catch::Contains("is not a directory") && Catch::Contains((dir / "file").string()));
    }
}

TEST_CASE("a log file receives both streams, appended, with its directories created") {
    const TempDir dir("orrery_wf_log");
    ProcessSpec spec = sh("echo out; echo err >&2; exit 2");
    spec.log_file = dir / "logs/stage/run.log";
    ProcessResult r = run_process(spec);
    CHECK(r.exit_code == 2);
    CHECK(r.output.empty());
    r = run_process(spec);
    CHECK(read_file(spec.log_file) == "out\nerr\nout\nerr\n");

    SECTION("a log file that cannot be opened is a start error naming it") {
        fs::create_directories(dir / "is-a-dir");
        spec.log_file = dir / "is-a-dir";
        CHECK_THROWS_WITH(run_process(spec), Catch::Contains("cannot open log file '" + (dir / "is-a-dir").string() + "'"));
    }
}

TEST_CASE("large output is read while the child runs, kept up to the limit and the rest noted") {
    ProcessSpec spec;
    spec.program = "python3";
    // 3 MiB on stdout and 1 MiB on stderr: far more than a pipe holds
    spec.args = {"-c", "import sys\nsys.stdout.write('o' * (3 << 20)); sys.stdout.flush()\nsys.stderr.write('e' * (1 << 20))\n"};
    spec.timeout = 20s;  // a deadlock fails the test instead of hanging it
    ProcessResult r = run_process(spec);
    REQUIRE(r.ok());
    CHECK(r.output_dropped == (4u << 20) - (1u << 20));
    CHECK(r.output.substr(0, 1 << 20) == std::string(1 << 20, 'o'));
    CHECK(contains(r.output, "[orrery: 3145728 more bytes of output dropped, over the capture limit of 1048576 bytes]"));

    SECTION("a small limit") {
        spec.args = {"-c", "print('x' * 99)"};
        spec.capture_limit = 10;
        r = run_process(spec);
        REQUIRE(r.ok());
        CHECK(r.output_dropped == 90);
        CHECK(r.output == "xxxxxxxxxx\n[orrery: 90 more bytes of output dropped, over the capture limit of 10 bytes]\n");
    }
}

TEST_CASE("start errors name the program") {
    const TempDir dir("orrery_wf_start");
    ProcessSpec spec;
    spec.program = "orrery-no-such-program-4711";
    CHECK_THROWS_AS(run_process(spec), orrery::StepError);
    CHECK_THROWS_WITH(run_process(spec), "cannot start 'orrery-no-such-program-4711': not found on PATH");

    spec.program = (dir / "missing.sh").string();
    CHECK_THROWS_WITH(run_process(spec), Catch::StartsWith("cannot start '" + spec.program + "': no such file"));

    write_script(dir / "plain.sh", "echo hi\n", false);
    spec.program = (dir / "plain.sh").string();
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("is not executable"));

    write_script(dir / "no-shebang", "echo hi\n");
    spec.program = (dir / "no-shebang").string();
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("not a program") && Catch::Contains("'#!'"));

    spec.program = dir.path().string();
    CHECK_THROWS_WITH(run_process(spec), Catch::Contains("is a directory"));

    spec.program.clear();
    CHECK_THROWS_AS(run_process(spec), orrery::StepError);
}

TEST_CASE("find_program looks up PATH and checks paths") {
    const auto sh_path = find_program("sh");
    REQUIRE(sh_path);
    CHECK(sh_path->filename() == "sh");
    CHECK(sh_path->is_absolute());
    CHECK(find_program("/bin/sh") == fs::path("/bin/sh"));
    CHECK_FALSE(find_program("orrery-no-such-program-4711"));
    CHECK_FALSE(find_program("/etc/passwd"));  // exists, not executable
    CHECK_FALSE(find_program(""));

    const TempDir dir("orrery_wf_find");
    write_script(dir / "tool", "#!/bin/sh\n");
    fs::create_directories(dir / "sub/tool2");  // a directory is not a program
    CHECK(find_program("tool", "/nonexistent:" + dir.path().string()) == dir / "tool");
    CHECK_FALSE(find_program("tool2", (dir / "sub").string()));
    CHECK_FALSE(find_program("tool", "/nonexistent"));
}

TEST_CASE("a timeout terminates the whole process tree") {
    // the grandchild (a background sleep) would outlive a kill of the shell alone
    ProcessSpec spec = sh("sleep 100 & echo $!; sleep 100");
    spec.timeout = 300ms;
    spec.kill_grace = 300ms;
    const ProcessResult r = run_process(spec);
    CHECK(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(r.timeout == 300ms);
    CHECK(r.duration >= 300ms);
    CHECK(r.duration < 3s);
    CHECK(r.signal == SIGTERM);
    CHECK(describe_exit(r) == "timed out after 0.3 s");
    CHECK_FALSE(running(first_pid(r.output)));
}

TEST_CASE("a tree that ignores SIGTERM is killed after the grace period") {
    const TempDir dir("orrery_wf_grace");
    ProcessSpec spec = sh("trap '' TERM; sleep 100 & echo $!; sleep 100");
    spec.timeout = 200ms;
    spec.kill_grace = 200ms;
    spec.log_file = dir / "stage.log";  // the same with output in a log file
    const ProcessResult r = run_process(spec);
    CHECK(r.timed_out);
    CHECK(r.signal == SIGKILL);
    CHECK(r.duration >= 400ms);
    CHECK(r.duration < 3s);
    CHECK_FALSE(running(first_pid(read_file(spec.log_file))));
}

TEST_CASE("what the program leaves running in its group is stopped when it exits") {
    ProcessSpec spec = sh("sleep 100 & echo $!");
    const ProcessResult r = run_process(spec);
    REQUIRE(r.ok());
    CHECK(r.duration < 2s);  // not waiting for the pipe the sleep still holds
    CHECK_FALSE(running(first_pid(r.output)));

    SECTION("unless kill_leftovers is off (and the held pipe does not block the return)") {
        spec.kill_leftovers = false;
        const ProcessResult kept = run_process(spec);
        REQUIRE(kept.ok());
        CHECK(kept.duration < 2s);
        const pid_t left = first_pid(kept.output);
        CHECK(running(left));
        ::kill(left, SIGKILL);
    }
}

TEST_CASE("cancellation terminates the tree like a timeout") {
    const auto start = std::chrono::steady_clock::now();
    ProcessSpec spec = sh("sleep 100 & echo $!; sleep 100");
    spec.kill_grace = 300ms;
    spec.cancelled = [&] { return std::chrono::steady_clock::now() - start > 200ms; };
    const ProcessResult r = run_process(spec);
    CHECK(r.cancelled);
    CHECK_FALSE(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(r.duration >= 150ms);
    CHECK(r.duration < 3s);
    CHECK_THAT(describe_exit(r), Catch::StartsWith("cancelled after 0."));
    CHECK_FALSE(running(first_pid(r.output)));
}

TEST_CASE("a cancellation callback that throws still ends the child and its tree") {
    const TempDir dir("orrery_wf_throw");
    ProcessSpec spec = sh("sleep 100 & echo $!; sleep 100");
    spec.log_file = dir / "stage.log";
    int calls = 0;
    spec.cancelled = [&]() -> bool {
        if (++calls > 15) throw std::runtime_error("cancel check failed");
        return false;
    };
    CHECK_THROWS_WITH(run_process(spec), "cancel check failed");
    const pid_t grandchild = first_pid(read_file(spec.log_file));
    for (int i = 0; i < 100 && running(grandchild); ++i) std::this_thread::sleep_for(10ms);  // SIGKILL lands asynchronously
    CHECK_FALSE(running(grandchild));
}

TEST_CASE("processes run from several threads at once keep their own output and status") {
    // --jobs N: each stage's pipe and status stay its own
    std::vector<std::string> outputs(4);
    std::vector<int> codes(4, -1);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&outputs, &codes, t] {
            for (int i = 0; i < 5; ++i) {
                ProcessSpec spec = sh("echo \"$1-$2\"; exit $1");
                spec.args.insert(spec.args.end(), {"orrery", std::to_string(t), std::to_string(i)});
                const ProcessResult r = run_process(spec);
                outputs[static_cast<std::size_t>(t)] += r.output;
                codes[static_cast<std::size_t>(t)] = r.exit_code;
            }
        });
    for (auto& th : threads) th.join();
    for (int t = 0; t < 4; ++t) {
        std::string expected;
        for (int i = 0; i < 5; ++i) expected += std::to_string(t) + "-" + std::to_string(i) + "\n";
        CHECK(outputs[static_cast<std::size_t>(t)] == expected);
        CHECK(codes[static_cast<std::size_t>(t)] == t);
    }
}

TEST_CASE("no descriptor of the parent leaks into the child") {
    const int stray = ::open("/dev/null", O_RDONLY);  // deliberately without O_CLOEXEC
    REQUIRE(stray >= 0);
    const int high = ::dup2(stray, 57);
    REQUIRE(high == 57);
    // ls lists the descriptors of the shell ($$): only 0, 1 and 2
    const ProcessResult r = run_process(sh("ls /proc/$$/fd"));
    ::close(stray);
    ::close(high);
    REQUIRE(r.ok());
    CHECK(r.output == "0\n1\n2\n");
}

namespace {
extern "C" void ignore_alarm(int) {}
}  // namespace

TEST_CASE("signals interrupting the wait do not disturb it") {
    struct sigaction action {};
    struct sigaction previous {};
    action.sa_handler = ignore_alarm;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0;  // no SA_RESTART: poll, read and waitpid see EINTR
    REQUIRE(::sigaction(SIGALRM, &action, &previous) == 0);
    itimerval every_2ms{};
    every_2ms.it_interval.tv_usec = 2000;
    every_2ms.it_value.tv_usec = 2000;
    ::setitimer(ITIMER_REAL, &every_2ms, nullptr);

    ProcessSpec spec = sh("sleep 0.2; echo done");
    spec.timeout = 5s;
    const ProcessResult r = run_process(spec);

    const itimerval off{};
    ::setitimer(ITIMER_REAL, &off, nullptr);
    ::sigaction(SIGALRM, &previous, nullptr);
    REQUIRE(r.ok());
    CHECK(r.output == "done\n");
    CHECK(r.duration >= 200ms);
}

TEST_CASE("describe_exit wording") {
    ProcessResult r;
    r.exit_code = 1;
    CHECK(describe_exit(r) == "exit code 1");
    r.signal = SIGSEGV;
    r.exit_code = 128 + SIGSEGV;
    CHECK(describe_exit(r) == "killed by signal 11 (SIGSEGV)");
    r.timed_out = true;
    r.timeout = 2000ms;
    CHECK(describe_exit(r) == "timed out after 2.0 s");
    r.timeout = 1250ms;
    CHECK(describe_exit(r) == "timed out after 1.25 s");
    r.timed_out = false;
    r.cancelled = true;
    r.duration = 350ms;
    CHECK(describe_exit(r) == "cancelled after 0.35 s");
}
