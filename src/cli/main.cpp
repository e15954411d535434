// orrery::cli::main: dispatch to the commands (see orrery/cli.hpp, docs/cli.md).

#include "orrery/cli.hpp"

#include "commands.hpp"
#include "exit_codes.hpp"
#include "version.hpp"

#include "orrery/core/errors.hpp"

#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace orrery::cli {

namespace {

void print_main_usage(std::ostream& out, const std::string& name) {
    out << "usage: " << name << " <command> [arguments]\n\n"
           "commands:\n"
           "  strun <name | parameter file> <input>... [--param=value]...   run a step or pipeline (stpipe strun)\n"
           "  run <pipeline> <input>... [--only/--skip/--from/--to] [--dry-run] [--continue-on-error] [--ledger DIR]\n"
           "  list [--steps-only | --pipelines-only] [glob]               registered steps and pipelines\n"
           "  describe <name>                                              a step's or pipeline's parameters\n"
           "  doctor [--ref-dir DIR] [--output_dir DIR]                    versions and environment checks\n"
           "  logs [--ledger DIR] [run-id | last]                          read the run ledger\n"
           "  graph <list|describe|validate|run|run-stage|doctor|logs|dot|schema> FILE ...   stage-graph files\n"
           "  --version                                                    library and plug-in layer versions\n\n"
        << "'" << name << " <command> -h' shows a command's options; '" << name << " strun <name> -h' a step's parameters.\n"
        << "exit codes: 0 success, 1 step failed, 2 usage/parameter/configuration error, 3 input data error,\n"
           "            64 no science data\n";
}

/// strun, strun-1.0, nircam-strun: the program is a strun.
bool named_strun(std::string_view name) {
    constexpr std::string_view strun = "strun";
    return name.starts_with(strun) || name.ends_with(strun);
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args;
    for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
    std::vector<std::string> command_line;
    for (int i = 0; i < argc; ++i) command_line.emplace_back(argv[i]);
    std::string name = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : std::string();
    if (name.empty()) name = "orrery";
    Streams io{std::cout, std::cerr, ::isatty(::fileno(stderr)) == 1};
    bool debug = false;
    for (const auto& a : args)
        if (a == "--debug") debug = true;

    std::string prog = name;
    if (named_strun(name)) {
        // The stpipe drop-in: stpipe's exit statuses (1 for every error, 2 for a bad command line).
        try {
            return stpipe_exit_code(run_command(args, Mode::strun, prog, io, command_line));
        } catch (const std::exception& e) {
            std::cout.flush();
            report_error(io.err, prog, e, debug);
            return stpipe_exit_code(e);
        }
    }
    try {
        if (args.empty()) {
            print_main_usage(io.err, name);
            return exit_usage;
        }
        const std::string& cmd = args.front();
        const std::span<const std::string> rest(args.data() + 1, args.size() - 1);
        if (cmd == "strun") {
            prog = name + " strun";
            return run_command(rest, Mode::strun, prog, io, command_line);
        }
        if (cmd == "run") {
            prog = name + " run";
            return run_command(rest, Mode::run, prog, io, command_line);
        }
        if (cmd == "list") {
            prog = name + " list";
            return list_command(rest, io);
        }
        if (cmd == "describe") {
            prog = name + " describe";
            return describe_command(rest, io);
        }
        if (cmd == "doctor") {
            prog = name + " doctor";
            return doctor_command(rest, io);
        }
        if (cmd == "graph") {
            prog = name + " graph";
            return graph_command(rest, io);
        }
        if (cmd == "logs") {
            prog = name + " logs";
            return logs_command(rest, io);
        }
        if (cmd == "--version" || cmd == "-v" || cmd == "version") {
            print_version(io.out);
            return exit_success;
        }
        if (cmd == "-h" || cmd == "--help" || cmd == "help") {
            print_main_usage(io.out, name);
            return exit_success;
        }
        throw UsageError("unknown command '" + cmd + "' (commands: strun, run, list, describe, doctor, logs, graph; see '" + name + " --help')");
    } catch (const std::exception& e) {
        std::cout.flush();
        return report_error(io.err, prog, e, debug);
    }
}

}  // namespace orrery::cli
