# Cross-check vectors for tests/jwst/test_jump.cpp: random ramps run through the
# reference jump detection. Needs numpy, astropy and a copy of stcal's
# src/stcal/jump/twopoint_difference.py (commit bb256db3) in TWOPT_DIR:
#   TWOPT_DIR=/path/to/dir python3 make_vectors.py OUTDIR
# run_ref() stands in for stcal jump.py detect_jumps_data around find_crs (bad-gain
# PIXELDQ, electrons, after-jump thresholds, row slices and their joins, cleanup),
# because jump.py itself imports scikit-image.
import os, sys
import numpy as np
sys.path.insert(0, os.environ.get('TWOPT_DIR', '.'))
import twopoint_difference as twopt
from astropy.io import fits

SAT, JUMP, DNU, NGV = 2, 4, 1, 524288

class P: pass

def run_ref(data, gdq, pdq, gain, rn, nframes, tgroup, prm, nslices=1):
    bad = (gain <= 0.0) | np.isnan(gain)
    pdq[bad] |= NGV | DNU
    d = data * gain
    rn2d = rn * gain
    p = P()
    p.normal_rej_thresh = prm.get('rejection_threshold', 4.0)
    p.two_diff_rej_thresh = prm.get('three_group_rejection_threshold', 6.0)
    p.three_diff_rej_thresh = prm.get('four_group_rejection_threshold', 5.0)
    p.nframes = (nframes,)
    p.flag_4_neighbors = prm.get('flag_4_neighbors', True)
    p.max_jump_to_flag_neighbors = prm.get('max_jump_to_flag_neighbors', 1000.0)
    p.min_jump_to_flag_neighbors = prm.get('min_jump_to_flag_neighbors', 10.0)
    p.fl_good, p.fl_sat, p.fl_jump, p.fl_ngv, p.fl_dnu, p.fl_ref = 0, SAT, JUMP, NGV, DNU, 2**31
    med_gain = np.nanmedian(gain)
    # numpy-2 scalar rule (float32 product), to match the spec
    p.after_jump_flag_e1 = np.float32(np.float32(prm.get('after_jump_flag_dn1', 0.0)) * med_gain)
    p.after_jump_flag_e2 = np.float32(np.float32(prm.get('after_jump_flag_dn2', 0.0)) * med_gain)
    p.after_jump_flag_n1 = int(prm.get('after_jump_flag_time1', 0.0) // tgroup)
    p.after_jump_flag_n2 = int(prm.get('after_jump_flag_time2', 0.0) // tgroup)
    p.minimum_groups = 3 if nslices == 1 else prm.get('minimum_groups', 3)
    p.minimum_sigclip_groups = prm.get('minimum_sigclip_groups', 100)
    p.only_use_ints = prm.get('only_use_ints', True)
    p.min_diffs_single_pass = prm.get('min_diffs_single_pass', 10)
    p.dt_group = np.ones(1)
    p.n_reads_groupdiff = np.ones(1) * 2 * nframes
    nrows = d.shape[2]
    if nslices == 1:
        gdq, _, _, ncr = twopt.find_crs(d, gdq, rn2d, p)
    else:
        yinc = nrows // nslices
        results = []
        for k in range(nslices):
            y0 = k * yinc
            y1 = nrows if k == nslices - 1 else (k + 1) * yinc
            results.append(twopt.find_crs(d[:, :, y0:y1].copy(), gdq[:, :, y0:y1].copy(), rn2d[y0:y1].copy(), p))
        nints, ngroups, _, ncols = gdq.shape
        prev_above = np.zeros((nints, ngroups, ncols), np.uint8)
        ncr = 0
        for k, r in enumerate(results):
            if k == nslices - 1:
                gdq[:, :, k * yinc:nrows] = r[0]
            else:
                gdq[:, :, k * yinc:(k + 1) * yinc] = r[0]
            ncr += r[3]
            if k != 0:
                gdq[:, :, k * yinc - 1, :] |= r[1]
                gdq[:, :, k * yinc, :] |= prev_above
            prev_above = r[2].copy()
    gdq[gdq & (JUMP | DNU) == (JUMP | DNU)] ^= JUMP
    gdq[gdq & (JUMP | SAT) == (JUMP | SAT)] ^= JUMP
    return gdq, pdq, ncr

def make(seed, nints, ngroups, ny, nx, nframes=1, slope=(0, 200), rn=(3, 12), gainv=(1.5, 3.0), n_cr=30,
         n_sat=5, n_dnu=10, n_nan_gain=2, quantize=False, dnu_planes=(), zero_rn=2, cr_amp=(20, 3000)):
    rng = np.random.default_rng(seed)
    gain = rng.uniform(*gainv, (ny, nx)).astype(np.float32)
    rnoise = rng.uniform(*rn, (ny, nx)).astype(np.float32)
    for _ in range(n_nan_gain):
        gain[rng.integers(ny), rng.integers(nx)] = np.nan
    for _ in range(zero_rn):
        y, x = rng.integers(ny), rng.integers(nx)
        rnoise[y, x] = 0.0
    rate = rng.uniform(*slope, (ny, nx))
    g = np.arange(ngroups)
    sci = np.empty((nints, ngroups, ny, nx), np.float32)
    for i in range(nints):
        sig = rate[None] * g[:, None, None]
        noise = rng.normal(0, 1, (ngroups, ny, nx)) * (rnoise[None] / np.sqrt(2)) + rng.normal(0, 1, (ngroups, ny, nx)) * np.sqrt(np.maximum(sig, 0) / 2.0) * 0.3
        sci[i] = (sig + noise + 1000).astype(np.float32)
    gdq = np.zeros(sci.shape, np.uint8)
    for _ in range(n_cr):
        i, gg, y, x = rng.integers(nints), rng.integers(1, ngroups), rng.integers(ny), rng.integers(nx)
        sci[i, gg:, y, x] += np.float32(rng.uniform(*cr_amp))
    for _ in range(n_sat):
        i, gg, y, x = rng.integers(nints), rng.integers(1, ngroups), rng.integers(ny), rng.integers(nx)
        gdq[i, gg:, y, x] |= SAT
    for _ in range(n_dnu):
        i, gg, y, x = rng.integers(nints), rng.integers(0, ngroups), rng.integers(ny), rng.integers(nx)
        gdq[i, gg, y, x] |= DNU
    for (i, gg) in dnu_planes:
        gdq[i, gg] |= DNU
    if quantize:
        sci = np.round(sci).astype(np.float32)
    pdq = np.zeros((ny, nx), np.uint32)
    return sci, gdq, pdq, gain, rnoise

OUTDIR = sys.argv[1] if len(sys.argv) > 1 else '.'

def write(name, sci, gdq, pdq, gain, rnoise, nframes, tgroup, prm, nslices=1):
    gdq_in = gdq.copy(); pdq_in = pdq.copy()
    gout, pout, ncr = run_ref(sci.copy(), gdq.copy(), pdq.copy(), gain, rnoise, nframes, tgroup, prm, nslices)
    h = fits.Header()
    h['NFRAMES'] = nframes; h['TGROUP'] = tgroup; h['NSLICES'] = nslices; h['NCR'] = int(ncr)
    keys = {'rejection_threshold': 'REJ', 'three_group_rejection_threshold': 'THR3', 'four_group_rejection_threshold': 'THR4',
            'min_jump_to_flag_neighbors': 'NMIN', 'max_jump_to_flag_neighbors': 'NMAX', 'after_jump_flag_dn1': 'AJDN1',
            'after_jump_flag_time1': 'AJT1', 'after_jump_flag_dn2': 'AJDN2', 'after_jump_flag_time2': 'AJT2',
            'only_use_ints': 'ONLYINTS', 'min_diffs_single_pass': 'MINSP', 'minimum_groups': 'MINGRP'}
    for k, v in prm.items():
        h[keys[k]] = float(v)
    hl = fits.HDUList([fits.PrimaryHDU(header=h),
        fits.ImageHDU(sci, name='SCI'), fits.ImageHDU(pdq_in, name='PIXELDQ'), fits.ImageHDU(gdq_in, name='GROUPDQ'),
        fits.ImageHDU(gain, name='GAIN'), fits.ImageHDU(rnoise, name='READNOISE'),
        fits.ImageHDU(pout, name='PIXELDQ_OUT'), fits.ImageHDU(gout, name='GROUPDQ_OUT')])
    hl.writeto(os.path.join(OUTDIR, f'{name}.fits'), overwrite=True)
    nj = np.count_nonzero(gout & JUMP)
    print(name, sci.shape, 'jumps', nj, 'primary', ncr)


T = 10.73677
write('iterative', *make(100, 2, 6, 16, 16, n_cr=12), 1, T, {})
write('iterative_quantized', *make(200, 1, 5, 16, 16, quantize=True, slope=(0, 3), rn=(0.5, 2), gainv=(1, 1), n_dnu=80, cr_amp=(5, 50)), 1, T, {})
write('single_pass', *make(300, 1, 15, 12, 12, n_cr=15), 1, T, {})
write('sigma_clip', *make(400, 110, 4, 6, 6, n_cr=80, n_dnu=40), 1, T, {})
write('sigma_clip_dnu_planes', *make(1001, 105, 5, 5, 5, dnu_planes=[(3, 4), (7, 0)], n_cr=60), 1, T, {})
write('sigma_clip_all_groups', *make(500, 25, 6, 6, 6, n_cr=40), 1, T, {'only_use_ints': False})
write('after_jump', *make(600, 1, 10, 12, 12, gainv=(2, 2), n_cr=15), 1, T, {'after_jump_flag_dn1': 100.0, 'after_jump_flag_time1': 25.0, 'after_jump_flag_dn2': 1000.0, 'after_jump_flag_time2': 60.0})
write('row_slices', *make(700, 1, 8, 12, 10, n_cr=30), 1, T, {'minimum_groups': 3}, nslices=3)
write('frame_averaged', *make(800, 1, 6, 12, 12, nframes=4, n_cr=20), 4, 5 * T, {})
write('thresholds', *make(900, 3, 8, 12, 12, n_cr=40), 1, T, {'rejection_threshold': 3.0, 'four_group_rejection_threshold': 4.5, 'three_group_rejection_threshold': 5.5, 'min_jump_to_flag_neighbors': 5.0, 'max_jump_to_flag_neighbors': 200.0, 'min_diffs_single_pass': 12})
write('too_few_groups', *make(1002, 1, 5, 6, 6, dnu_planes=[(0, 2), (0, 3), (0, 4)]), 1, T, {})
