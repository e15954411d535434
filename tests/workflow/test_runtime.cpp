// Runtimes of command stages with the real interpreters: detection by extension and
// '#!' line, interpreter lookup and versions, and scripts actually run through
// command_for (python3, node, bash).
#include "orrery/workflow/runtime.hpp"

#include "../support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace orrery::workflow;
using orrery::test::TempDir;

namespace {

fs::path write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

ProcessResult run(Runtime runtime, const fs::path& script, std::vector<std::string> args) {
    ProcessSpec spec = command_for(runtime, script.string(), std::move(args));
    spec.timeout = 20s;
    return run_process(spec);
}

}  // namespace

TEST_CASE("runtime names parse and print") {
    for (const Runtime r : {Runtime::python, Runtime::node, Runtime::shell, Runtime::exec}) CHECK(parse_runtime(runtime_name(r)) == r);
    CHECK(runtime_name(Runtime::node) == "node");
    CHECK_FALSE(parse_runtime("ruby"));
    CHECK_FALSE(parse_runtime("Python"));
    CHECK_FALSE(parse_runtime(""));
}

TEST_CASE("the runtime of a script by its extension") {
    CHECK(detect_runtime("scripts/summarise.py") == Runtime::python);
    CHECK(detect_runtime("build.js") == Runtime::node);
    CHECK(detect_runtime("module.mjs") == Runtime::node);
    CHECK(detect_runtime("common.cjs") == Runtime::node);
    CHECK(detect_runtime("tools/fetch.sh") == Runtime::shell);
    CHECK(detect_runtime("setup.bash") == Runtime::shell);
    CHECK(detect_runtime("UPPER.PY") == Runtime::python);
    CHECK(detect_runtime("tool") == Runtime::exec);        // no such file: nothing to read
    CHECK(detect_runtime("archive.tar") == Runtime::exec);
}

TEST_CASE("the runtime of a script without extension by its '#!' line") {
    const TempDir dir("orrery_wf_shebang");
    CHECK(detect_runtime(write(dir / "a", "#!/usr/bin/env python3\nprint(1)\n")) == Runtime::python);
    CHECK(detect_runtime(write(dir / "b", "#!/usr/bin/python3.11 -u\n")) == Runtime::python);
    CHECK(detect_runtime(write(dir / "c", "#! /usr/bin/env -S node --no-warnings\n")) == Runtime::node);
    CHECK(detect_runtime(write(dir / "d", "#!/usr/bin/env nodejs")) == Runtime::node);  // no newline at all
    CHECK(detect_runtime(write(dir / "e", "#!/bin/sh\necho hi\n")) == Runtime::shell);
    CHECK(detect_runtime(write(dir / "f", "#!/bin/bash -eu\n")) == Runtime::shell);
    CHECK(detect_runtime(write(dir / "g", "#!/usr/bin/dash\n")) == Runtime::shell);
    CHECK(detect_runtime(write(dir / "h", "#!/usr/bin/env LC_ALL=C python\n")) == Runtime::python);
    CHECK(detect_runtime(write(dir / "i", "#!/usr/bin/env ruby\n")) == Runtime::exec);
    CHECK(detect_runtime(write(dir / "j", "echo no shebang\n")) == Runtime::exec);
    CHECK(detect_runtime(write(dir / "k", "#!\n")) == Runtime::exec);
    CHECK(detect_runtime(write(dir / "l", "")) == Runtime::exec);
    CHECK(detect_runtime("/bin/true") == Runtime::exec);  // a binary
    CHECK(detect_runtime(dir.path()) == Runtime::exec);   // a directory
}

TEST_CASE("interpreters are found on PATH with their versions") {
    const auto python = find_interpreter(Runtime::python);
    REQUIRE(python);
    CHECK(python->runtime == Runtime::python);
    CHECK(python->path.is_absolute());
    CHECK(python->path.filename() == "python3");
    CHECK_THAT(python->version, Catch::StartsWith("Python 3."));

    const auto node = find_interpreter(Runtime::node);
    REQUIRE(node);
    CHECK(node->path.filename() == "node");
    CHECK_THAT(node->version, Catch::StartsWith("v"));
    CHECK(node->version.find('\n') == std::string::npos);

    const auto shell = find_interpreter(Runtime::shell);
    REQUIRE(shell);
    CHECK(shell->path.filename() == "bash");
    CHECK_THAT(shell->version, Catch::StartsWith("GNU bash, version"));

    CHECK_FALSE(find_interpreter(Runtime::exec));

    SECTION("in a given PATH: the fallbacks, and a shell without --version") {
        const TempDir dir("orrery_wf_interp");
        fs::create_symlink("/bin/dash", dir / "sh");
        const auto sh_only = find_interpreter(Runtime::shell, dir.path().string());
        REQUIRE(sh_only);
        CHECK(sh_only->path == dir / "sh");
        CHECK(sh_only->version.empty());  // dash has no --version: found, version unknown
        CHECK_FALSE(find_interpreter(Runtime::node, dir.path().string()));
    }
}

TEST_CASE("interpreter lookups are cached and safe from several threads") {
    const auto first = find_interpreter(Runtime::node);
    REQUIRE(first);
    std::vector<std::optional<Interpreter>> seen(4);
    std::vector<std::thread> threads;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < seen.size(); ++i) threads.emplace_back([&seen, i] { seen[i] = find_interpreter(Runtime::node); });
    for (auto& t : threads) t.join();
    CHECK(std::chrono::steady_clock::now() - start < 50ms);  // no new `node --version` (about 40 ms each)
    for (const auto& s : seen) {
        REQUIRE(s);
        CHECK(s->path == first->path);
        CHECK(s->version == first->version);
    }
}

TEST_CASE("command_for runs python, node and shell scripts with their arguments") {
    const TempDir dir("orrery_wf_command");

    const auto py = write(dir / "greet.py", "import os, sys\nprint('py', *sys.argv[1:], os.environ.get('GREETING', '-'))\nsys.exit(3 if 'fail' in sys.argv else 0)\n");
    ProcessSpec spec = command_for(Runtime::python, py.string(), {"a b", "c", "fail"});
    CHECK(spec.program == find_interpreter(Runtime::python)->path.string());
    CHECK(spec.args == std::vector<std::string>{py.string(), "a b", "c", "fail"});
    spec.env = {{"GREETING", "hello"}};
    ProcessResult r = run_process(spec);  // one python run: the shim of a pyenv install takes most of a second
    CHECK(r.exit_code == 3);
    CHECK(r.output == "py a b c fail hello\n");

    const auto js = write(dir / "greet.mjs", "console.log('node', process.argv.slice(2).join('|'));\nprocess.exitCode = process.argv.includes('fail') ? 4 : 0;\n");
    r = run(Runtime::node, js, {"x y", "z"});
    REQUIRE(r.ok());
    CHECK(r.output == "node x y|z\n");
    CHECK(run(Runtime::node, js, {"fail"}).exit_code == 4);

    const auto shell = write(dir / "greet.sh", "echo \"sh $# $1\"\necho \"${BASH_VERSION:+bash}\" >&2\n");  // not executable: bash reads it
    r = run(Runtime::shell, shell, {"one two", "three"});
    REQUIRE(r.ok());
    CHECK(r.output == "sh 2 one two\nbash\n");
}

TEST_CASE("a relative script runs from the stage's cwd, and exec runs the program itself") {
    const TempDir dir("orrery_wf_relative");
    write(dir / "rel.py", "import os\nprint('py', os.path.basename(os.getcwd()))\n");
    ProcessSpec rel = command_for(detect_runtime("rel.py"), "rel.py", {});
    rel.cwd = dir.path();
    ProcessResult r = run_process(rel);
    REQUIRE(r.ok());
    CHECK(r.output == "py " + dir.path().filename().string() + "\n");

    const ProcessSpec exec = command_for(Runtime::exec, "printf", {"%s-%s\\n", "a", "b"});
    CHECK(exec.program == "printf");
    CHECK(exec.args.size() == 3);
    r = run_process(exec);
    REQUIRE(r.ok());
    CHECK(r.output == "a-b\n");
}

TEST_CASE("a runtime without an interpreter is a configuration error") {
    const auto none = find_interpreter(Runtime::node, "/nonexistent-orrery-dir");
    CHECK_FALSE(none);
    CHECK_THROWS_AS(command_with(Runtime::node, none, "x.js", {}), orrery::ConfigError);
    CHECK_THROWS_WITH(command_with(Runtime::node, none, "x.js", {}), "runtime 'node' needs node or nodejs on PATH");
    CHECK_THROWS_WITH(command_with(Runtime::python, std::nullopt, "x.py", {}), "runtime 'python' needs python3 or python on PATH");
    CHECK_THROWS_WITH(command_with(Runtime::shell, std::nullopt, "x.sh", {}), "runtime 'shell' needs bash or sh on PATH");
    CHECK(command_with(Runtime::exec, std::nullopt, "/bin/true", {}).program == "/bin/true");
}
