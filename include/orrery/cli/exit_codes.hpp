#pragma once
// Exit codes of the orrery command line and the one-line error report.
//
//   0  success
//   1  a step failed (or an internal error / cancellation)
//   2  usage, parameter or configuration error
//   3  input data error (unreadable, truncated or inconsistent input/reference)
//   64 no science data (nothing to calibrate)
//
// orrery::exit_code(ErrorCategory) (errors.hpp) is the single mapping; this
// header adds the mapping of exceptions that are not orrery::Error.

#include "orrery/core/any_value.hpp"
#include "orrery/core/errors.hpp"

#include <exception>
#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>
#include <typeinfo>

namespace orrery::cli {

inline constexpr int exit_success = 0;
inline constexpr int exit_step_failed = exit_code(ErrorCategory::step_failed);
inline constexpr int exit_usage = exit_code(ErrorCategory::usage);
inline constexpr int exit_input_data = exit_code(ErrorCategory::input_data);
inline constexpr int exit_no_science = exit_code(ErrorCategory::no_science);

/// The category of any exception: orrery errors carry theirs; file-system
/// errors are input errors; anything else is a failed step.
inline ErrorCategory category_of(const std::exception& e) {
    if (const auto* oe = dynamic_cast<const Error*>(&e)) return oe->category();
    if (dynamic_cast<const std::filesystem::filesystem_error*>(&e)) return ErrorCategory::input_data;
    if (dynamic_cast<const std::bad_alloc*>(&e)) return ErrorCategory::internal;
    return ErrorCategory::step_failed;
}

inline int exit_code_of(const std::exception& e) { return exit_code(category_of(e)); }

/// The message as one line (embedded newlines become "; ").
inline std::string one_line(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '\n') {
            if (!out.empty()) out += "; ";
        } else if (c != '\r') {
            out += c;
        }
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
    return out;
}

/// "<prog>: error: <message>" (one line); with `debug`, the cause chain, the
/// category, the exit code and the exception type follow on further lines.
inline int report_error(std::ostream& err, std::string_view prog, const std::exception& e, bool debug) {
    const ErrorCategory cat = category_of(e);
    const int code = exit_code(cat);
    err << prog << ": error: " << one_line(e.what()) << "\n";
    if (debug) {
        if (const auto* oe = dynamic_cast<const Error*>(&e); oe && !oe->cause().empty()) err << "  caused by: " << oe->cause() << "\n";
        err << "  category: " << category_name(cat) << " (exit " << code << ")\n";
        err << "  exception: " << type_name(typeid(e)) << "\n";
    }
    err.flush();
    return code;
}

}  // namespace orrery::cli
