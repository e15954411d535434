#pragma once
// A user's own steps, with no astronomy in sight: a numeric series read from a
// text file, two steps and a pipeline.
//
//   series::Series   <- a text file of numbers; -> <root>_<suffix>.txt, one per line
//   scale            multiplies every value by `factor`
//   clip             clamps every value to [lower, upper]
//   tidy             clip, then scale (a pipeline)
//
// product_traits<Series> tells the command line how to read an input and save a
// product; it must be specialised before the registrations at the end.

#include "orrery/orrery.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace series {

struct Series {
    std::vector<double> values;
};

}  // namespace series

template <>
struct orrery::product_traits<series::Series> {
    static constexpr bool saveable = true;
    static constexpr bool loadable = true;

    static series::Series load(const std::filesystem::path& path) {
        std::ifstream in(path);
        if (!in) throw orrery::InputError("input file " + path.string() + ": cannot be read");
        series::Series s;
        std::string word;
        while (in >> word) {
            std::istringstream number(word);
            double v = 0.0;
            if (!(number >> v) || !number.eof()) throw orrery::InputError("input file " + path.string() + ": '" + word + "' is not a number");
            s.values.push_back(v);
        }
        return s;
    }

    static std::vector<std::filesystem::path> save(const series::Series& s, const orrery::OutputNamer& namer, std::string_view suffix) {
        auto path = namer.path(suffix);
        path.replace_extension(".txt");
        std::ofstream out(path, std::ios::trunc);
        for (double v : s.values) out << v << "\n";
        if (!out.flush()) throw orrery::InputError("output file " + path.string() + ": cannot be written");
        return {path};
    }

    static std::string summary(const series::Series& s) { return std::to_string(s.values.size()) + " values"; }

    // A series keeps no history: no file name (outputs are named after the input file), no
    // record of the reference files used (a FITS product keeps R_<TYPE> keywords).
    static std::string filename(const series::Series&) { return {}; }
    static void record_reference(series::Series&, std::string_view, std::string_view) {}
};

namespace series {

struct ScaleParams {
    double factor = 1.0;
    ORRERY_REFLECT(ScaleParams, (factor, "Multiply every value by this"))
};

struct Scale {
    static constexpr std::string_view name = "scale";
    static constexpr std::string_view class_name = "series.Scale";
    static constexpr std::string_view description = "Multiply a series by a factor";
    using Params = ScaleParams;
    static Series process(Series s, const Params& p, orrery::Context&) {
        for (double& v : s.values) v *= p.factor;
        return s;
    }
};

struct ClipParams {
    double lower = 0.0;
    double upper = 100.0;
    ORRERY_REFLECT(ClipParams,
        (lower, "Smallest value kept"),
        (upper, "Largest value kept"))
};

struct Clip {
    static constexpr std::string_view name = "clip";
    static constexpr std::string_view class_name = "series.Clip";
    static constexpr std::string_view description = "Clamp a series to [lower, upper]";
    using Params = ClipParams;
    static Series process(Series s, const Params& p, orrery::Context&) {
        if (p.lower > p.upper) throw orrery::StepError("clip: lower is above upper");
        for (double& v : s.values) v = std::clamp(v, p.lower, p.upper);
        return s;
    }
};

struct Tidy {
    static constexpr std::string_view name = "tidy";
    static constexpr std::string_view class_name = "series.Tidy";
    static constexpr std::string_view description = "Clip, then scale";
    using Params = orrery::NoParams;
    static auto chain() { return orrery::chain(Clip{}, Scale{}); }
};

}  // namespace series

ORRERY_REGISTER_STEP(series::Scale)
ORRERY_REGISTER_STEP(series::Clip)
ORRERY_REGISTER_PIPELINE(series::Tidy)
