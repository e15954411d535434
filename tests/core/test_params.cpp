#include "orrery/core/params.hpp"
#include "orrery/core/param_value.hpp"
#include "orrery/core/context.hpp"

#include <catch2/catch.hpp>

namespace {
struct FitParams {
    int n_pix = 1;
    bool use_it = true;
    double threshold = 4.0;
    std::optional<double> dark;
    std::optional<int> firstgroup;
    std::vector<double> weights{1.0, 2.0};
    std::string algorithm = "OLS_C";
    std::string maximum_cores = "1";
    ORRERY_REFLECT(FitParams,
        (n_pix, "Pixels to grow", orrery::min(0), orrery::max(10)),
        (use_it, "Use it"),
        (threshold, "Sigma threshold", orrery::min(0)),
        (dark, "Average dark current"),
        (firstgroup, "First group"),
        (weights, "Weights", orrery::min(1)),
        (algorithm, "Fitting algorithm", orrery::one_of("OLS_C|LIKELY")),
        (maximum_cores, "Cores"))
};
}  // namespace

using orrery::ParamNode;

TEST_CASE("reflected params expose names, types, defaults, help and bounds") {
    static_assert(orrery::check_params<FitParams>());
    static_assert(orrery::param_count<FitParams>() == 8);
    const auto schema = orrery::params_schema<FitParams>();
    REQUIRE(schema.size() == 8);
    CHECK(schema[0].name == "n_pix");
    CHECK(schema[0].type == "integer");
    CHECK(schema[0].default_text() == "1");
    CHECK(schema[0].lower == 0.0);
    CHECK(schema[0].upper == 10.0);
    CHECK(schema[1].type == "boolean");
    CHECK(schema[1].default_text() == "True");
    CHECK(schema[2].default_text() == "4.0");
    CHECK(schema[3].optional);
    CHECK(schema[3].default_value.is_null());
    CHECK(schema[5].type == "float_list");
    CHECK(schema[5].default_text() == "[1.0, 2.0]");
    CHECK(schema[6].type == "option");
    CHECK(schema[6].options == std::vector<std::string>{"OLS_C", "LIKELY"});
    CHECK(schema[6].help == "Fitting algorithm");
}

TEST_CASE("values convert from text the way configobj does") {
    FitParams p;
    CHECK(orrery::set_param(p, "use_it", ParamNode::scalar("false", "--use_it"), "use_it"));
    CHECK_FALSE(p.use_it);
    orrery::set_param(p, "use_it", ParamNode::scalar("yes", "--use_it"), "use_it");
    CHECK(p.use_it);
    orrery::set_param(p, "weights", ParamNode::scalar("1.5,", "--weights"), "weights");
    CHECK(p.weights == std::vector<double>{1.5});
    orrery::set_param(p, "weights", ParamNode::scalar("3, 4,5", "--weights"), "weights");
    CHECK(p.weights == std::vector<double>{3, 4, 5});
    orrery::set_param(p, "dark", ParamNode::scalar("0.25", "f.asdf:3"), "dark");
    CHECK(p.dark == 0.25);
    orrery::set_param(p, "dark", ParamNode::scalar("None", "f.asdf:3"), "dark");
    CHECK_FALSE(p.dark.has_value());
    orrery::set_param(p, "firstgroup", ParamNode::scalar("2.0", "f.asdf:4"), "firstgroup");
    CHECK(p.firstgroup == 2);
    CHECK_FALSE(orrery::set_param(p, "nope", ParamNode::scalar("1"), "nope"));
}

TEST_CASE("bad values name the key and where the value came from") {
    FitParams p;
    auto message = [&](const char* key, const char* text, const char* source) {
        try {
            orrery::set_param(p, key, ParamNode::scalar(text, source), std::string("steps.fit.") + key);
        } catch (const orrery::ParameterError& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(message("n_pix", "abc", "--steps.fit.n_pix") ==
          "parameter 'steps.fit.n_pix' (from --steps.fit.n_pix): the value \"abc\" is not an integer");
    CHECK(message("n_pix", "11", "p.cfg:3") == "parameter 'steps.fit.n_pix' (from p.cfg:3): the value 11 is above the maximum 10.0");
    CHECK(message("threshold", "-1", "x") == "parameter 'steps.fit.threshold' (from x): the value -1.0 is below the minimum 0.0");
    CHECK(message("use_it", "maybe", "x") == "parameter 'steps.fit.use_it' (from x): the value \"maybe\" is not a boolean (True/False)");
    CHECK(message("algorithm", "FAST", "x") == "parameter 'steps.fit.algorithm' (from x): the value \"FAST\" is not one of 'OLS_C', 'LIKELY'");
    CHECK(message("weights", "", "x") == "parameter 'steps.fit.weights' (from x): the list is too short (at least 1 item)");
}

TEST_CASE("params round-trip through a tree") {
    FitParams p;
    p.n_pix = 3;
    p.dark = 1.5;
    p.weights = {0.1};
    const ParamNode tree = orrery::params_to_node(p);
    FitParams q;
    for (const auto& [k, v] : tree.children()) orrery::set_param(q, k, v, k);
    CHECK(q.n_pix == 3);
    CHECK(q.dark == 1.5);
    CHECK(q.weights == std::vector<double>{0.1});
    CHECK(q.algorithm == "OLS_C");
    CHECK(orrery::params_to_node(q).same_values(tree));
}

TEST_CASE("parameter trees merge with later sources winning") {
    ParamNode base = ParamNode::map();
    base.set_path("steps.jump.rejection_threshold", ParamNode::scalar("4.0", "default"));
    base.set_path("steps.jump.flag_4_neighbors", ParamNode::scalar("True", "default"));
    ParamNode user = ParamNode::map();
    user.set_path("steps.jump.rejection_threshold", ParamNode::scalar("5", "user.asdf:7"));
    user.set_path("steps.saturation.n_pix_grow_sat", ParamNode::scalar("2", "user.asdf:9"));
    base.merge(user);
    REQUIRE(base.find_path("steps.jump.rejection_threshold"));
    CHECK(base.find_path("steps.jump.rejection_threshold")->text() == "5");
    CHECK(base.find_path("steps.jump.rejection_threshold")->source() == "user.asdf:7");
    CHECK(base.find_path("steps.jump.flag_4_neighbors")->text() == "True");
    CHECK(base.find_path("steps.saturation.n_pix_grow_sat")->text() == "2");
    CHECK(base.find_path("steps.missing.x") == nullptr);
}

TEST_CASE("maximum_cores accepts the stpipe spellings") {
    CHECK(orrery::parse_maximum_cores("1", 8) == 1);
    CHECK(orrery::parse_maximum_cores("half", 8) == 4);
    CHECK(orrery::parse_maximum_cores("quarter", 8) == 2);
    CHECK(orrery::parse_maximum_cores("all", 8) == 8);
    CHECK(orrery::parse_maximum_cores("16", 8) == 8);
    CHECK_THROWS_AS(orrery::parse_maximum_cores("many", 8), orrery::ParameterError);
    CHECK_THROWS_AS(orrery::parse_maximum_cores("0", 8), orrery::ParameterError);
}
