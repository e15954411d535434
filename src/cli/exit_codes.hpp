#pragma once
// Exit codes of the orrery command line and the one-line error report.
//
//   0  success
//   1  a step failed (or an internal error / cancellation)
//   2  usage, parameter or configuration error
//   3  input data error (unreadable, truncated or inconsistent input/reference)
//   64 no science data (nothing to calibrate)
//
// A program named strun (the stpipe drop-in) exits as stpipe's strun does instead:
// 2 when its argument parser rejects the command line (a malformed, ambiguous or
// unknown option, a missing value or positional), 1 for every other error.
//
// orrery::exit_code(ErrorCategory) (errors.hpp) is the single mapping; this
// header adds the mapping of exceptions that are not orrery::Error.

#include "orrery/core/errors.hpp"

#include <exception>
#include <ostream>
#include <string>
#include <string_view>

namespace orrery::cli {

inline constexpr int exit_success = 0;
inline constexpr int exit_step_failed = exit_code(ErrorCategory::step_failed);
inline constexpr int exit_usage = exit_code(ErrorCategory::usage);
inline constexpr int exit_input_data = exit_code(ErrorCategory::input_data);
inline constexpr int exit_no_science = exit_code(ErrorCategory::no_science);

/// The category of any exception: orrery errors carry theirs; file-system
/// errors are input errors; anything else is a failed step.
ErrorCategory category_of(const std::exception& e);

int exit_code_of(const std::exception& e);

/// stpipe's strun status for an error: 2 for command-line syntax, else 1 (see above).
int stpipe_exit_code(const std::exception& e);

/// stpipe's strun status for an orrery exit code: 0 stays 0, every failure is 1.
inline int stpipe_exit_code(int orrery_code) { return orrery_code == exit_success ? exit_success : 1; }

/// The message as one line (embedded newlines become "; ").
std::string one_line(std::string_view text);

/// "<prog>: error: <message>" (one line); with `debug`, the cause chain, the
/// category, the exit code and the exception type follow on further lines.
int report_error(std::ostream& err, std::string_view prog, const std::exception& e, bool debug);

}  // namespace orrery::cli
