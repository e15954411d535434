#pragma once
// The run's logger from the stpipe logging flags:
//   --verbose / -v        DEBUG
//   --log-level LEVEL     DEBUG, INFO (default), WARNING, ERROR, CRITICAL
//   --log-file PATH       records go to PATH (opened for writing, truncated)
//   --log-stream STREAM   stdout, stderr (default) or null
// With --log-file and no --log-stream, records go to the file only; with both,
// to both. Format: stpipe's "%(asctime)s - %(name)s - %(levelname)s - %(message)s".

#include "arguments.hpp"
#include "orrery/core/logger.hpp"

#include <memory>
#include <string>

namespace orrery::cli {

/// "DEBUG", "info", "WARN", ... -> the level; UsageError otherwise.
LogLevel parse_log_level(const std::string& text);

/// The logger the flags ask for.
std::shared_ptr<Logger> make_logger(const Options& o);

}  // namespace orrery::cli
