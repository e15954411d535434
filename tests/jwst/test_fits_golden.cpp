// Reading every golden file (uncal, ref/*, expected/*) with fits::FitsReader: stored
// types, shapes, two spot pixels and the NaN-ignoring sum per extension, all
// taken from astropy. Plus read_ramp on the golden uncal files.

#include "orrery/array/fits/fits_reader.hpp"
#include "orrery/jwst/io/ramp_io.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

using namespace orrery;
using namespace orrery::jwst;
using orrery::fits::FitsReader;

namespace {

struct Expect {
    const char* file;
    const char* ext;
    const char* dtype;
    std::vector<std::size_t> shape;
    std::vector<std::size_t> idx1;
    double v1;
    std::vector<std::size_t> idx2;
    double v2;
    double nansum;
    int nans;
};

const std::vector<Expect> golden = {
{"clean_small/clean_small_uncal.fits", "SCI", "uint16", {1,10,32,32}, {0,3,7,5}, 12128.0, {0,9,31,31}, 11989.0, 123430053.0, 0},
{"clean_small/expected/after_dark_current.fits", "SCI", "float32", {1,10,32,32}, {0,3,7,5}, 32.17806625366211, {0,9,31,31}, 101.70472717285156, 487164.24334554374, 0},
{"clean_small/expected/after_dark_current.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 25165824.0, 0},
{"clean_small/expected/after_dark_current.fits", "GROUPDQ", "uint8", {1,10,32,32}, {0,3,7,5}, 0.0, {0,9,31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_dq_init.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_dq_init.fits", "GROUPDQ", "uint8", {1,10,32,32}, {0,3,7,5}, 0.0, {0,9,31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_jump.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 25165824.0, 0},
{"clean_small/expected/after_jump.fits", "GROUPDQ", "uint8", {1,10,32,32}, {0,3,7,5}, 0.0, {0,9,31,31}, 0.0, 4.0, 0},
{"clean_small/expected/after_linearity.fits", "SCI", "float32", {1,10,32,32}, {0,3,7,5}, 32.59489822387695, {0,9,31,31}, 102.19178771972656, 494791.5692460686, 0},
{"clean_small/expected/after_linearity.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_linearity.fits", "GROUPDQ", "uint8", {1,10,32,32}, {0,3,7,5}, 0.0, {0,9,31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_saturation.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_saturation.fits", "GROUPDQ", "uint8", {1,10,32,32}, {0,3,7,5}, 0.0, {0,9,31,31}, 0.0, 0.0, 0},
{"clean_small/expected/after_superbias.fits", "SCI", "float32", {1,10,32,32}, {0,3,7,5}, 32.5927734375, {0,9,31,31}, 102.1708984375, 494707.609375, 0},
{"clean_small/expected/after_superbias.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/expected/rate.fits", "SCI", "float32", {32,32}, {7,5}, 0.8430011868476868, {31,31}, 1.020958662033081, 825.3901286125183, 0},
{"clean_small/expected/rate.fits", "ERR", "float32", {32,32}, {7,5}, 0.08612097054719925, {31,31}, 0.09046727418899536, 88.06075184419751, 0},
{"clean_small/expected/rate.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 25165828.0, 0},
{"clean_small/expected/rate.fits", "VAR_POISSON", "float32", {32,32}, {7,5}, 0.003897902090102434, {31,31}, 0.0049224901013076305, 4.265547507471638, 0},
{"clean_small/expected/rate.fits", "VAR_RNOISE", "float32", {32,32}, {7,5}, 0.0035189189948141575, {31,31}, 0.0032618383411318064, 3.4510641570668668, 0},
{"clean_small/expected/rateints.fits", "SCI", "float32", {1,32,32}, {0,7,5}, 0.8430011868476868, {0,31,31}, 1.020958662033081, 825.3901286125183, 0},
{"clean_small/expected/rateints.fits", "ERR", "float32", {1,32,32}, {0,7,5}, 0.08612097054719925, {0,31,31}, 0.09046727418899536, 88.06075184419751, 0},
{"clean_small/expected/rateints.fits", "DQ", "uint32", {1,32,32}, {0,7,5}, 0.0, {0,31,31}, 0.0, 25165828.0, 0},
{"clean_small/expected/rateints.fits", "VAR_POISSON", "float32", {1,32,32}, {0,7,5}, 0.003897902090102434, {0,31,31}, 0.0049224901013076305, 4.265547507471638, 0},
{"clean_small/expected/rateints.fits", "VAR_RNOISE", "float32", {1,32,32}, {0,7,5}, 0.0035189189948141575, {0,31,31}, 0.0032618383411318064, 3.4510641570668668, 0},
{"clean_small/ref/dark.fits", "SCI", "float32", {12,32,32}, {3,7,5}, 0.416830837726593, {11,31,31}, 0.5844745635986328, 10816.934807318263, 0},
{"clean_small/ref/dark.fits", "ERR", "float32", {12,32,32}, {3,7,5}, 0.10000000149011612, {11,31,31}, 0.10000000149011612, 1228.8000183105469, 0},
{"clean_small/ref/dark.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 25165824.0, 0},
{"clean_small/ref/gain.fits", "SCI", "float32", {32,32}, {7,5}, 1.9528367519378662, {31,31}, 1.948600172996521, 2048.6344656944275, 0},
{"clean_small/ref/linearity.fits", "COEFFS", "float32", {4,32,32}, {3,7,5}, 9.999999960041972e-12, {3,31,31}, 9.999999960041972e-12, 1024.0020480102348, 0},
{"clean_small/ref/linearity.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/ref/mask.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/ref/readnoise.fits", "SCI", "float32", {32,32}, {7,5}, 8.18126106262207, {31,31}, 7.876745223999023, 8191.502274513245, 0},
{"clean_small/ref/saturation.fits", "SCI", "float32", {32,32}, {7,5}, 58464.70703125, {31,31}, 58249.21875, 59380995.05859375, 0},
{"clean_small/ref/saturation.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"clean_small/ref/superbias.fits", "SCI", "float32", {32,32}, {7,5}, 12095.4072265625, {31,31}, 11886.8291015625, 12293534.5390625, 0},
{"clean_small/ref/superbias.fits", "ERR", "float32", {32,32}, {7,5}, 5.0, {31,31}, 5.0, 5120.0, 0},
{"clean_small/ref/superbias.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"cr_sat/cr_sat_uncal.fits", "SCI", "uint16", {2,12,48,40}, {1,3,7,5}, 12124.0, {1,11,47,39}, 12334.0, 615885036.0, 0},
{"cr_sat/expected/after_dark_current.fits", "SCI", "float32", {2,12,48,40}, {1,3,7,5}, 34.830596923828125, {1,11,47,39}, 104.29100036621094, 63184019.47148216, 0},
{"cr_sat/expected/after_dark_current.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 45097987.0, 0},
{"cr_sat/expected/after_dark_current.fits", "GROUPDQ", "uint8", {2,12,48,40}, {1,3,7,5}, 0.0, {1,11,47,39}, 0.0, 5704.0, 0},
{"cr_sat/expected/after_dq_init.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 9219.0, 0},
{"cr_sat/expected/after_dq_init.fits", "GROUPDQ", "uint8", {2,12,48,40}, {1,3,7,5}, 0.0, {1,11,47,39}, 0.0, 72.0, 0},
{"cr_sat/expected/after_jump.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 46670854.0, 0},
{"cr_sat/expected/after_jump.fits", "GROUPDQ", "uint8", {2,12,48,40}, {1,3,7,5}, 0.0, {1,11,47,39}, 0.0, 6452.0, 0},
{"cr_sat/expected/after_linearity.fits", "SCI", "float32", {2,12,48,40}, {1,3,7,5}, 35.05226135253906, {1,11,47,39}, 105.82513427734375, 63223188.02617519, 0},
{"cr_sat/expected/after_linearity.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 19932163.0, 0},
{"cr_sat/expected/after_linearity.fits", "GROUPDQ", "uint8", {2,12,48,40}, {1,3,7,5}, 0.0, {1,11,47,39}, 0.0, 5704.0, 0},
{"cr_sat/expected/after_saturation.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 6300675.0, 0},
{"cr_sat/expected/after_saturation.fits", "GROUPDQ", "uint8", {2,12,48,40}, {1,3,7,5}, 0.0, {1,11,47,39}, 0.0, 5704.0, 0},
{"cr_sat/expected/after_superbias.fits", "SCI", "float32", {2,12,48,40}, {1,3,7,5}, 35.0498046875, {1,11,47,39}, 105.802734375, 62788839.23730469, 0},
{"cr_sat/expected/after_superbias.fits", "PIXELDQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 18883587.0, 0},
{"cr_sat/expected/rate.fits", "SCI", "float32", {48,40}, {7,5}, 0.6908672451972961, {47,39}, 0.8400399684906006, 30575.664880514145, 23},
{"cr_sat/expected/rate.fits", "ERR", "float32", {48,40}, {7,5}, 0.05170994624495506, {47,39}, 0.04907504469156265, 241.03184827044606, 0},
{"cr_sat/expected/rate.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 46671767.0, 0},
{"cr_sat/expected/rate.fits", "VAR_POISSON", "float32", {48,40}, {7,5}, 0.001687830314040184, {47,39}, 0.001491427537985146, 239.13208538954495, 0},
{"cr_sat/expected/rate.fits", "VAR_RNOISE", "float32", {48,40}, {7,5}, 0.0009860883001238108, {47,39}, 0.000916932534892112, 5.419374349468853, 0},
{"cr_sat/expected/rateints.fits", "SCI", "float32", {2,48,40}, {1,7,5}, 0.69809490442276, {1,47,39}, 0.8350553512573242, 61152.08591130376, 46},
{"cr_sat/expected/rateints.fits", "ERR", "float32", {2,48,40}, {1,7,5}, 0.07312890887260437, {1,47,39}, 0.06940259784460068, 683.3733576312661, 0},
{"cr_sat/expected/rateints.fits", "DQ", "uint32", {2,48,40}, {1,7,5}, 0.0, {1,47,39}, 0.0, 93342830.0, 0},
{"cr_sat/expected/rateints.fits", "VAR_POISSON", "float32", {2,48,40}, {1,7,5}, 0.003375660628080368, {1,47,39}, 0.002982855075970292, 956.5996996948379, 0},
{"cr_sat/expected/rateints.fits", "VAR_RNOISE", "float32", {2,48,40}, {1,7,5}, 0.0019721766002476215, {1,47,39}, 0.001833865069784224, 21.969070266815834, 0},
{"cr_sat/ref/dark.fits", "SCI", "float32", {14,48,40}, {3,7,5}, 0.22166389226913452, {13,47,39}, 1.7898250818252563, 26363.444183914282, 0},
{"cr_sat/ref/dark.fits", "ERR", "float32", {14,48,40}, {3,7,5}, 0.10000000149011612, {13,47,39}, 0.10000000149011612, 2688.0000400543213, 0},
{"cr_sat/ref/dark.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 25165824.0, 0},
{"cr_sat/ref/gain.fits", "SCI", "float32", {48,40}, {7,5}, 1.9731900691986084, {47,39}, 1.9493714570999146, 3835.2036583423615, 3},
{"cr_sat/ref/linearity.fits", "COEFFS", "float32", {4,48,40}, {3,7,5}, 9.999999960041972e-12, {3,47,39}, 9.999999960041972e-12, 1919.0038380191804, 4},
{"cr_sat/ref/linearity.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 0.0, 0},
{"cr_sat/ref/mask.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 9219.0, 0},
{"cr_sat/ref/readnoise.fits", "SCI", "float32", {48,40}, {7,5}, 8.063610076904297, {47,39}, 7.775714874267578, 15361.871696472168, 0},
{"cr_sat/ref/saturation.fits", "SCI", "float32", {48,40}, {7,5}, 57620.5234375, {47,39}, 57854.046875, 111172726.93359375, 3},
{"cr_sat/ref/saturation.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 6291456.0, 0},
{"cr_sat/ref/superbias.fits", "SCI", "float32", {48,40}, {7,5}, 12088.9501953125, {47,39}, 12228.197265625, 23045674.86328125, 0},
{"cr_sat/ref/superbias.fits", "ERR", "float32", {48,40}, {7,5}, 5.0, {47,39}, 5.0, 9600.0, 0},
{"cr_sat/ref/superbias.fits", "DQ", "uint32", {48,40}, {7,5}, 0.0, {47,39}, 0.0, 12582912.0, 0},
{"frame_avg/expected/after_dark_current.fits", "SCI", "float32", {1,6,32,32}, {0,3,7,5}, 2439.181884765625, {0,5,31,31}, 241.28240966796875, 8058226.000466347, 0},
{"frame_avg/expected/after_dark_current.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 32509954.0, 0},
{"frame_avg/expected/after_dark_current.fits", "GROUPDQ", "uint8", {1,6,32,32}, {0,3,7,5}, 0.0, {0,5,31,31}, 0.0, 697.0, 0},
{"frame_avg/expected/after_dq_init.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 4098.0, 0},
{"frame_avg/expected/after_dq_init.fits", "GROUPDQ", "uint8", {1,6,32,32}, {0,3,7,5}, 0.0, {0,5,31,31}, 0.0, 12.0, 0},
{"frame_avg/expected/after_jump.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 32509954.0, 0},
{"frame_avg/expected/after_jump.fits", "GROUPDQ", "uint8", {1,6,32,32}, {0,3,7,5}, 0.0, {0,5,31,31}, 0.0, 937.0, 0},
{"frame_avg/expected/after_linearity.fits", "SCI", "float32", {1,6,32,32}, {0,3,7,5}, 2441.50927734375, {0,5,31,31}, 244.41151428222656, 8070233.246994972, 0},
{"frame_avg/expected/after_linearity.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 7344130.0, 0},
{"frame_avg/expected/after_linearity.fits", "GROUPDQ", "uint8", {1,6,32,32}, {0,3,7,5}, 0.0, {0,5,31,31}, 0.0, 697.0, 0},
{"frame_avg/expected/after_saturation.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 2101250.0, 0},
{"frame_avg/expected/after_saturation.fits", "GROUPDQ", "uint8", {1,6,32,32}, {0,3,7,5}, 0.0, {0,5,31,31}, 0.0, 697.0, 0},
{"frame_avg/expected/after_superbias.fits", "SCI", "float32", {1,6,32,32}, {0,3,7,5}, 2429.560546875, {0,5,31,31}, 244.2919921875, 7982052.1669921875, 0},
{"frame_avg/expected/after_superbias.fits", "PIXELDQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 6295554.0, 0},
{"frame_avg/expected/rate.fits", "SCI", "float32", {32,32}, {7,5}, 12.995363235473633, {31,31}, 0.8129283785820007, 4947.072538733482, 19},
{"frame_avg/expected/rate.fits", "ERR", "float32", {32,32}, {7,5}, 0.1554737687110901, {31,31}, 0.04095596820116043, 69.40497798472643, 0},
{"frame_avg/expected/rate.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 32510257.0, 0},
{"frame_avg/expected/rate.fits", "VAR_POISSON", "float32", {32,32}, {7,5}, 0.024021776393055916, {31,31}, 0.0015356598887592554, 16.55924962228164, 0},
{"frame_avg/expected/rate.fits", "VAR_RNOISE", "float32", {32,32}, {7,5}, 0.00015031773364171386, {31,31}, 0.0001417315361322835, 0.2074637697878643, 0},
{"frame_avg/expected/rateints.fits", "SCI", "float32", {1,32,32}, {0,7,5}, 12.995363235473633, {0,31,31}, 0.8129283785820007, 4947.072538733482, 19},
{"frame_avg/expected/rateints.fits", "ERR", "float32", {1,32,32}, {0,7,5}, 0.1554737687110901, {0,31,31}, 0.04095596820116043, 69.41314999386668, 0},
{"frame_avg/expected/rateints.fits", "DQ", "uint32", {1,32,32}, {0,7,5}, 0.0, {0,31,31}, 0.0, 32510257.0, 0},
{"frame_avg/expected/rateints.fits", "VAR_POISSON", "float32", {1,32,32}, {0,7,5}, 0.024021776393055916, {0,31,31}, 0.0015356598887592554, 16.55924962228164, 0},
{"frame_avg/expected/rateints.fits", "VAR_RNOISE", "float32", {1,32,32}, {0,7,5}, 0.00015031773364171386, {0,31,31}, 0.0001417315361322835, 0.2074637697878643, 0},
{"frame_avg/frame_avg_uncal.fits", "SCI", "uint16", {1,6,32,32}, {0,3,7,5}, 14233.0, {0,5,31,31}, 12151.0, 81730408.0, 0},
{"frame_avg/ref/dark.fits", "SCI", "float32", {31,32,32}, {3,7,5}, 0.5319995880126953, {30,31,31}, 3.5273587703704834, 66173.22894734447, 0},
{"frame_avg/ref/dark.fits", "ERR", "float32", {31,32,32}, {3,7,5}, 0.10000000149011612, {30,31,31}, 0.10000000149011612, 3174.400047302246, 0},
{"frame_avg/ref/dark.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 25165824.0, 0},
{"frame_avg/ref/gain.fits", "SCI", "float32", {32,32}, {7,5}, 1.9908703565597534, {31,31}, 1.9633691310882568, 2048.7408188581467, 0},
{"frame_avg/ref/linearity.fits", "COEFFS", "float32", {4,32,32}, {3,7,5}, 9.999999960041972e-12, {3,31,31}, 9.999999960041972e-12, 1023.0020460102248, 4},
{"frame_avg/ref/linearity.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 0.0, 0},
{"frame_avg/ref/mask.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 4098.0, 0},
{"frame_avg/ref/readnoise.fits", "SCI", "float32", {32,32}, {7,5}, 7.787763595581055, {31,31}, 7.562073707580566, 8192.721318244934, 0},
{"frame_avg/ref/saturation.fits", "SCI", "float32", {32,32}, {7,5}, 58020.80859375, {31,31}, 57914.9921875, 59387841.3671875, 1},
{"frame_avg/ref/saturation.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 2097152.0, 0},
{"frame_avg/ref/superbias.fits", "SCI", "float32", {32,32}, {7,5}, 11803.439453125, {31,31}, 11906.7080078125, 12291392.641601562, 0},
{"frame_avg/ref/superbias.fits", "ERR", "float32", {32,32}, {7,5}, 5.0, {31,31}, 5.0, 5120.0, 0},
{"frame_avg/ref/superbias.fits", "DQ", "uint32", {32,32}, {7,5}, 0.0, {31,31}, 0.0, 4194304.0, 0},
};

std::string golden_path(const char* rel) { return std::string(ORRERY_TEST_DATA_DIR) + "/golden/" + rel; }

template <class T, std::size_t R>
void check_array(fits::FitsReader& r, const Expect& e) {
    const auto a = r.read<T, R>(e.ext);
    for (std::size_t i = 0; i < R; ++i) REQUIRE(a.extent(i) == e.shape[i]);
    auto at = [&](const std::vector<std::size_t>& idx) {
        std::size_t flat = 0;
        for (std::size_t i = 0; i < R; ++i) flat = flat * a.extent(i) + idx[i];
        return static_cast<double>(a[flat]);
    };
    CHECK(at(e.idx1) == e.v1);
    CHECK(at(e.idx2) == e.v2);
    double sum = 0;
    int nans = 0;
    for (const auto v : a) {
        const double d = static_cast<double>(v);
        if (std::isnan(d)) ++nans;
        else sum += d;
    }
    CHECK(nans == e.nans);
    CHECK(sum == Approx(e.nansum).epsilon(1e-9));
}

template <class T>
void check_rank(fits::FitsReader& r, const Expect& e) {
    switch (e.shape.size()) {
        case 2: check_array<T, 2>(r, e); break;
        case 3: check_array<T, 3>(r, e); break;
        case 4: check_array<T, 4>(r, e); break;
        default: FAIL("unexpected rank");
    }
}

}  // namespace

TEST_CASE("every golden extension reads with the right type, shape and values") {
    for (const auto& e : golden) {
        INFO(e.file << " [" << e.ext << "]");
        fits::FitsReader r(golden_path(e.file));
        REQUIRE(r.has(e.ext));
        CHECK(r.dtype(e.ext) == e.dtype);
        CHECK(r.shape(e.ext) == e.shape);
        const std::string dt = e.dtype;
        if (dt == "float32") check_rank<float>(r, e);
        else if (dt == "uint32") check_rank<std::uint32_t>(r, e);
        else if (dt == "uint16") check_rank<std::uint16_t>(r, e);
        else if (dt == "uint8") check_rank<std::uint8_t>(r, e);
        else FAIL("dtype " << dt);
    }
}

TEST_CASE("uint16 stored as int16 + BZERO reads identically as uint16, float and double") {
    fits::FitsReader r(golden_path("cr_sat/cr_sat_uncal.fits"));
    const auto u = r.read<std::uint16_t, 4>("SCI");
    const auto f = r.read<float, 4>("SCI");
    const auto d = r.read<double, 4>("SCI");
    REQUIRE(u.size() == f.size());
    std::size_t diff = 0;
    std::uint16_t max = 0;
    for (std::size_t i = 0; i < u.size(); ++i) {
        diff += static_cast<float>(u[i]) != f[i] || static_cast<double>(u[i]) != d[i];
        max = std::max(max, u[i]);
    }
    CHECK(diff == 0);
    CHECK(max > 32767);  // values above int16 range survive the BZERO offset
}

TEST_CASE("headers are read card for card") {
    fits::FitsReader r(golden_path("cr_sat/cr_sat_uncal.fits"));
    const auto h = r.primary_header();
    CHECK(h.cards().size() == 197);  // astropy len(header)
    CHECK(h.cards()[0].substr(0, 30) == "SIMPLE  =                    T");
    CHECK(h.get_int("NGROUPS") == 12);
    CHECK(h.get_string("READPATT") == "GOLDEN");
    const auto s = r.header("SCI");
    CHECK(s.get_int("BZERO") == 32768);
    CHECK(r.extnames() == std::vector<std::string>{"PRIMARY", "SCI"});
}

TEST_CASE("read_ramp: golden uncal files") {
    struct Case { const char* file; std::array<std::size_t, 4> shape; int nframes, groupgap; double v; };
    for (const Case c : {Case{"clean_small/clean_small_uncal.fits", {1, 10, 32, 32}, 1, 0, 12128.0},
                         Case{"cr_sat/cr_sat_uncal.fits", {2, 12, 48, 40}, 1, 0, 12124.0},
                         Case{"frame_avg/frame_avg_uncal.fits", {1, 6, 32, 32}, 4, 1, 14233.0}}) {
        INFO(c.file);
        const auto m = io::read_ramp(golden_path(c.file));
        CHECK(m.sci.shape() == c.shape);
        CHECK(m.sci(std::min<std::size_t>(1, c.shape[0] - 1), 3, 7, 5) == static_cast<float>(c.v));
        CHECK(m.groupdq.shape() == c.shape);
        CHECK(m.pixeldq.shape() == std::array<std::size_t, 2>{c.shape[2], c.shape[3]});
        CHECK(std::all_of(m.groupdq.begin(), m.groupdq.end(), [](auto v) { return v == 0; }));
        CHECK(std::all_of(m.pixeldq.begin(), m.pixeldq.end(), [](auto v) { return v == 0; }));
        CHECK(m.err.empty());
        CHECK(!m.zeroframe);
        CHECK(m.meta.instrument == "NIRCAM");
        CHECK(m.meta.detector == "NRCA1");
        CHECK(m.meta.nints == static_cast<int>(c.shape[0]));
        CHECK(m.meta.ngroups == static_cast<int>(c.shape[1]));
        CHECK(m.meta.nframes == c.nframes);
        CHECK(m.meta.groupgap == c.groupgap);
        CHECK(m.meta.tframe == 10.73677);
        CHECK(m.meta.subsize1 == static_cast<int>(c.shape[3]));
        CHECK(m.meta.subsize2 == static_cast<int>(c.shape[2]));
        CHECK(m.meta.fastaxis == -1);
        CHECK(m.meta.frmdivsr == 1);
        CHECK(m.meta.readpatt == "GOLDEN");
        CHECK(m.filename == std::filesystem::path(c.file).filename().string());
        CHECK(m.primary.cards().size() > 150);
    }
}

TEST_CASE("read_ramp: expected/after_* files are calibrated ramps") {
    const auto m = io::read_ramp(golden_path("cr_sat/expected/after_dark_current.fits"));
    // These files have no primary keywords: the shape comes from the arrays.
    CHECK(m.sci.shape() == std::array<std::size_t, 4>{2, 12, 48, 40});
    CHECK(m.sci(1, 3, 7, 5) == 34.830597f);
    double pix = 0, grp = 0;
    for (auto v : m.pixeldq) pix += v;
    for (auto v : m.groupdq) grp += v;
    CHECK(pix == 45097987.0);
    CHECK(grp == 5704.0);
    CHECK(m.meta.subsize1 == 40);
    CHECK(m.meta.subsize2 == 48);
}

TEST_CASE("the pread fast path gives exactly what cfitsio gives") {
    for (const auto& e : golden) {
        INFO(e.file << " [" << e.ext << "]");
        fits::FitsReader r(golden_path(e.file));
        std::size_t n = 1;
        for (auto s : e.shape) n *= s;
        auto compare = [&](auto tag, int code) {
            using T = decltype(tag);
            std::vector<T> ref(n);
            int status = 0, anynul = 0;
            REQUIRE(r.has(e.ext));  // positions the handle on the extension
            fits_read_img(r.handle(), code, 1, static_cast<LONGLONG>(n), nullptr, ref.data(), &anynul, &status);
            REQUIRE(status == 0);
            std::vector<T> fast;
            switch (e.shape.size()) {
                case 2: { auto a = r.read<T, 2>(e.ext); fast.assign(a.begin(), a.end()); break; }
                case 3: { auto a = r.read<T, 3>(e.ext); fast.assign(a.begin(), a.end()); break; }
                default: { auto a = r.read<T, 4>(e.ext); fast.assign(a.begin(), a.end()); break; }
            }
            CHECK(std::memcmp(fast.data(), ref.data(), n * sizeof(T)) == 0);
        };
        compare(float{}, TFLOAT);
        compare(double{}, TDOUBLE);
        if (std::string(e.dtype) != "float32") compare(std::uint32_t{}, TUINT);
    }
}
