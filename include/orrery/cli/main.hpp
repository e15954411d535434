#pragma once
// The orrery command line. A program includes the plug-in layers it ships
// (their headers register their steps), then calls orrery::cli::main:
//
//   #include "orrery/jwst.hpp"
//   #include "orrery/cli/main.hpp"
//   int main(int argc, char** argv) { return orrery::cli::main(argc, argv); }
//
// Commands: strun, run, list, describe, doctor, logs (see docs/cli.md). Run
// under the name "strun" (a link to the program), it behaves as `orrery strun`.

#include "orrery/cli/commands/doctor.hpp"
#include "orrery/cli/commands/list.hpp"
#include "orrery/cli/commands/logs.hpp"
#include "orrery/cli/commands/run.hpp"
#include "orrery/cli/exit_codes.hpp"
#include "orrery/cli/version.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {

inline void print_main_usage(std::ostream& out) {
    out << "usage: orrery <command> [arguments]\n\n"
           "commands:\n"
           "  strun <name | parameter file> <input>... [--param=value]...   run a step or pipeline (stpipe strun)\n"
           "  run <pipeline> <input>... [--only/--skip/--from/--to] [--dry-run] [--continue-on-error] [--ledger DIR]\n"
           "  list [--steps-only | --pipelines-only] [glob]               registered steps and pipelines\n"
           "  describe <name>                                              a step's or pipeline's parameters\n"
           "  doctor [--ref-dir DIR] [--output_dir DIR]                    versions and environment checks\n"
           "  logs [--ledger DIR] [run-id | last]                          read the run ledger\n"
           "  --version                                                    library and plug-in layer versions\n\n"
           "'orrery <command> -h' shows a command's options; 'orrery strun <name> -h' a step's parameters.\n"
           "exit codes: 0 success, 1 step failed, 2 usage/parameter/configuration error, 3 input data error,\n"
           "            64 no science data\n";
}

/// Entry point; returns the process exit code.
inline int main(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    std::vector<std::string> command_line;
    for (int i = 0; i < argc; ++i) command_line.emplace_back(argv[i]);
    const std::string invoked = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : std::string("orrery");
    Streams io{std::cout, std::cerr, ::isatty(::fileno(stderr)) == 1};
    bool debug = false;
    for (const auto& a : args)
        if (a == "--debug") debug = true;

    std::string prog = "orrery";
    try {
        if (invoked.rfind("strun", 0) == 0) {
            prog = "strun";
            return run_command(args, Mode::strun, prog, io, command_line);
        }
        if (args.empty()) {
            print_main_usage(io.err);
            return exit_usage;
        }
        const std::string& cmd = args.front();
        const std::span<const std::string> rest(args.data() + 1, args.size() - 1);
        if (cmd == "strun") {
            prog = "orrery strun";
            return run_command(rest, Mode::strun, prog, io, command_line);
        }
        if (cmd == "run") {
            prog = "orrery run";
            return run_command(rest, Mode::run, prog, io, command_line);
        }
        if (cmd == "list") {
            prog = "orrery list";
            return list_command(rest, io);
        }
        if (cmd == "describe") {
            prog = "orrery describe";
            return describe_command(rest, io);
        }
        if (cmd == "doctor") {
            prog = "orrery doctor";
            return doctor_command(rest, io);
        }
        if (cmd == "logs") {
            prog = "orrery logs";
            return logs_command(rest, io);
        }
        if (cmd == "--version" || cmd == "-v" || cmd == "version") {
            print_version(io.out);
            return exit_success;
        }
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            print_main_usage(io.out);
            return exit_success;
        }
        throw UsageError("unknown command '" + cmd + "' (commands: strun, run, list, describe, doctor, logs; see 'orrery --help')");
    } catch (const std::exception& e) {
        std::cout.flush();
        return report_error(io.err, prog, e, debug);
    }
}

}  // namespace orrery::cli
