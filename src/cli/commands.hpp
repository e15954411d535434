#pragma once
// The commands of the orrery command line; each takes the arguments after its
// name and returns the exit code, or throws (main reports the error).

#include "arguments.hpp"

#include <ostream>
#include <span>
#include <string>
#include <vector>

namespace orrery::cli {

/// Where a command writes.
struct Streams {
    std::ostream& out;
    std::ostream& err;
    bool err_is_terminal = false;
};

/// `strun ...` / `orrery run ...` (args exclude the command name). Throws on
/// usage/configuration errors before anything runs; returns the exit code.
int run_command(std::span<const std::string> args, Mode mode, const std::string& prog, Streams io,
                const std::vector<std::string>& command_line = {});

/// `orrery list [--steps-only | --pipelines-only] [glob]`
int list_command(std::span<const std::string> args, Streams io);

/// `orrery describe <name>`
int describe_command(std::span<const std::string> args, Streams io);

/// `orrery doctor [--ref-dir DIR] [--output_dir DIR]`
int doctor_command(std::span<const std::string> args, Streams io);

/// `orrery graph <list|describe|validate|run|run-stage|doctor|logs|dot|schema> FILE ...`
int graph_command(std::span<const std::string> args, Streams io);

/// `orrery logs [--ledger DIR] [--json] [run-id | last]`
int logs_command(std::span<const std::string> args, Streams io);

}  // namespace orrery::cli
