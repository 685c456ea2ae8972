#!/usr/bin/env bash
# measure_argos_dists.sh - compare the two PyPI distributions that ship the
# `argostranslate` module, for xlate's dependency choice:
#
#   lt : argos-translate-lt==1.12.1   (LibreTranslate's fork; ctranslate2, sentencepiece,
#                                      sacremoses, minisbd; no stanza/spacy/torch)
#   ar : argostranslate==1.11.0       (upstream; also spacy + stanza==1.10.1 -> torch)
#
# What it measures (each in a fresh `python3 -m venv` under $WORK, pip --no-cache-dir):
#   install  install wall time (median of $RUNS_INSTALL fresh venvs) and `du -sm` of
#            site-packages. For `ar`, torch==$TORCH_VERSION (the CPU wheel on local disk)
#            is installed FIRST and timed separately, then argostranslate is installed
#            with a constraint pinning torch==$TORCH_VERSION, so the resolver can never
#            pull a CUDA torch. If pip nevertheless mentions a CUDA/nvidia wheel or a
#            different torch, the run aborts and says so.
#            Also: a `pip install --dry-run` of argostranslate WITHOUT torch preinstalled
#            (nothing is installed or downloaded beyond metadata) records which torch the
#            resolver would pick and its size.
#   import   `python -X importtime -c "import argostranslate.package"` and perf_counter
#            wall time of `import argostranslate.package` / `import argostranslate.translate`;
#            1 warm-up + median of $RUNS_IMPORT, HOME/XDG dirs pointed at a temp dir.
#   translate  waits (poll every 60 s, up to $WAIT_MODEL_SECS) for $MODEL, unzips it,
#            loads argostranslate.package.Package, encodes the first 20 Lithuanian
#            sentences of $PHRASEBOOK (column 1, header skipped), translates them with
#            ctranslate2.Translator(model, compute_type=int8).translate_batch(beam_size=4,
#            length_penalty=0.2, replace_unknowns=True), decodes with
#            pkg.tokenizer.lazy_processor().decode_pieces, and compares tokens and outputs
#            across the two venvs. Then tries argostranslate.translate.translate() on 3
#            sentences with ARGOS_PACKAGES_DIR set, ARGOS_COMPUTE_TYPE=int8 and several
#            ARGOS_CHUNK_TYPE values, recording network attempts/errors (the machine is
#            offline except PyPI; every attempt has a timeout).
#   report   writes $OUT (RESULTS.md) from the raw files in $WORK/results.
#
# Usage:  bench/deps/measure_argos_dists.sh [all|install|import|translate|report]...
#         (default: all). Env overrides: WORK, RUNS_INSTALL, RUNS_IMPORT, MODEL,
#         PHRASEBOOK, WAIT_MODEL_SECS, OUT, PYTHON.
# Needs: python3 with venv, pip reaching PyPI, unzip. Takes ~15-30 min on 2 cores
# (plus waiting for the model). Re-runnable: each phase recreates its venvs.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
PYTHON="${PYTHON:-python3}"
WORK="${WORK:-/tmp/argos-dists}"
RES="$WORK/results"
RUNS_INSTALL="${RUNS_INSTALL:-3}"
RUNS_IMPORT="${RUNS_IMPORT:-5}"
TORCH_VERSION="2.13.0"
MODEL="${MODEL:-$REPO/tests/fixtures/models/translate-lt_en.argosmodel}"
PHRASEBOOK="${PHRASEBOOK:-$REPO/tests/fixtures/phrasebook.tsv}"
WAIT_MODEL_SECS="${WAIT_MODEL_SECS:-2400}"
OUT="${OUT:-$HERE/RESULTS.md}"
DISTS=(lt ar)
declare -A SPEC=([lt]="argos-translate-lt==1.12.1" [ar]="argostranslate==1.11.0")

mkdir -p "$RES"
# CPU load at the start of each phase (timings on a shared 2-core box are noisy)
record_load() { printf '%s\t%s\t%s\n' "$1" "$(date -Is)" "$(cut -d' ' -f1-3 /proc/loadavg)" >>"$RES/load.tsv"; }
log() { printf '[%s] %s\n' "$(date +%T)" "$*" >&2; }
now() { date +%s.%N; }
elapsed() { "$PYTHON" -c "import sys; print(f'{float(sys.argv[2])-float(sys.argv[1]):.1f}')" "$1" "$2"; }
median() { "$PYTHON" -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.3f}')" "$@"; }
site_packages() { "$1/bin/python" -c "import sysconfig; print(sysconfig.get_paths()['purelib'])"; }
venv_dir() { echo "$WORK/venv-$1"; }

new_venv() {  # new_venv DIR
  rm -rf "$1"
  "$PYTHON" -m venv "$1"
}

# Fail loudly if a pip log shows a CUDA torch / nvidia wheel or a torch other than the pin.
check_no_cuda() {  # check_no_cuda LOGFILE
  if grep -Eiq 'nvidia[-_]|torch-(2\.1[4-9]|[3-9])|\+cu[0-9]' "$1"; then
    log "ABORT: pip wanted a CUDA torch or nvidia wheels; see $1"
    echo "ABORTED: CUDA torch/nvidia wanted (see $1)" >"$RES/ar.cuda_abort"
    exit 3
  fi
}

# Where pip took each distribution from: local disk (file:// index or find-links) or PyPI.
sources_summary() {  # sources_summary LOGFILE -> "N from PyPI, M from local disk"
  local net loc
  net=$(grep -cE '^\s+Downloading [a-zA-Z0-9_.-]+\.(whl|tar\.gz|zip)' "$1" || true)
  loc=$(grep -cE '^\s*Processing /|^\s+Using cached|file:///' "$1" || true)
  echo "$net downloaded from PyPI, $loc from local disk"
}

phase_install() {
  local tmpv t0 t1 d tt sp
  record_load install
  # baseline: a bare venv (pip + setuptools only)
  tmpv="$WORK/venv-bare"; new_venv "$tmpv"
  du -sm "$(site_packages "$tmpv")" | cut -f1 >"$RES/bare_venv_mb"; rm -rf "$tmpv"
  : >"$RES/install.tsv"
  printf 'dist\trun\tstep\tseconds\tsite_packages_mb\n' >>"$RES/install.tsv"
  for d in "${DISTS[@]}"; do
    for run in $(seq 1 "$RUNS_INSTALL"); do
      tmpv="$(venv_dir "$d")"
      new_venv "$tmpv"
      "$tmpv/bin/python" -m pip --version >"$RES/$d.pip_version"
      if [[ $d == ar ]]; then
        log "ar run $run: torch==$TORCH_VERSION"
        t0=$(now)
        "$tmpv/bin/pip" install --no-cache-dir --progress-bar off "torch==$TORCH_VERSION" \
          >"$RES/ar.torch.run$run.log" 2>&1
        t1=$(now)
        check_no_cuda "$RES/ar.torch.run$run.log"
        tt=$(elapsed "$t0" "$t1")
        sp=$(du -sm "$(site_packages "$tmpv")" | cut -f1)
        printf 'ar\t%s\ttorch\t%s\t%s\n' "$run" "$tt" "$sp" >>"$RES/install.tsv"
        echo "torch==$TORCH_VERSION" >"$WORK/torch-pin.txt"
      fi
      log "$d run $run: ${SPEC[$d]}"
      t0=$(now)
      if [[ $d == ar ]]; then
        "$tmpv/bin/pip" install --no-cache-dir --progress-bar off -c "$WORK/torch-pin.txt" \
          "${SPEC[$d]}" >"$RES/$d.run$run.log" 2>&1
      else
        "$tmpv/bin/pip" install --no-cache-dir --progress-bar off "${SPEC[$d]}" \
          >"$RES/$d.run$run.log" 2>&1
      fi
      t1=$(now)
      [[ $d == ar ]] && check_no_cuda "$RES/$d.run$run.log"
      sp=$(du -sm "$(site_packages "$tmpv")" | cut -f1)
      printf '%s\t%s\tdist\t%s\t%s\n' "$d" "$run" "$(elapsed "$t0" "$t1")" "$sp" >>"$RES/install.tsv"
    done
    "$tmpv/bin/pip" list --format=freeze >"$RES/$d.freeze.txt" 2>/dev/null
    sources_summary "$RES/$d.run$RUNS_INSTALL.log" >"$RES/$d.sources"
    # biggest installed top-level folders, for the report
    # (|| true: with pipefail, head closing the pipe early can SIGPIPE sort and end the script)
    { du -sm "$(site_packages "$tmpv")"/* 2>/dev/null | sort -rn | head -12 >"$RES/$d.biggest.txt"; } || true
  done

  # What would pip do for argostranslate WITHOUT torch preinstalled? Dry run only.
  tmpv="$WORK/venv-ar-dry"
  new_venv "$tmpv"
  log "ar dry run without torch preinstalled"
  timeout 600 "$tmpv/bin/pip" install --no-cache-dir --progress-bar off --dry-run \
    --report "$RES/ar.dryrun-report.json" "${SPEC[ar]}" >"$RES/ar.dryrun.log" 2>&1 || true
  "$tmpv/bin/python" - "$RES/ar.dryrun-report.json" >"$RES/ar.dryrun.summary" <<'EOF' || true
import json, os, sys, urllib.parse
rep = json.load(open(sys.argv[1]))
tot = 0; rows = []
for it in rep["install"]:
    name, ver = it["metadata"]["name"], it["metadata"]["version"]
    url = it["download_info"]["url"]
    size = None
    if url.startswith("file://"):
        p = urllib.parse.unquote(urllib.parse.urlparse(url).path)
        if os.path.exists(p):
            size = os.path.getsize(p); tot += size
    if name.lower().startswith(("torch", "nvidia", "triton", "cuda")):
        rows.append(f"{name}=={ver} ({'local disk' if url.startswith('file://') else 'PyPI'}"
                    f"{', %d MB wheel' % (size // 2**20) if size else ''})")
print(f"{len(rep['install'])} packages would be installed; torch/CUDA ones: " + "; ".join(rows))
print(f"wheels on local disk among them: {tot // 2**20} MB")
EOF
  rm -rf "$tmpv"
}

# HOME and XDG dirs in a throwaway dir so no user settings.json / packages leak in.
clean_env() {  # clean_env TMPHOME -> prints env assignments
  echo "HOME=$1 XDG_DATA_HOME=$1/.local/share XDG_CONFIG_HOME=$1/.config XDG_CACHE_HOME=$1/.cache"
}

phase_import() {
  local d py th
  record_load import
  printf 'dist\tmetric\tmedian_s\truns\n' >"$RES/import.tsv"
  for d in "${DISTS[@]}"; do
    py="$(venv_dir "$d")/bin/python"
    [[ -x $py ]] || { log "no venv for $d; run the install phase first"; exit 2; }
    th="$(mktemp -d)"
    for metric in importtime_package wall_package wall_translate; do
      vals=()
      for i in $(seq 0 "$RUNS_IMPORT"); do   # run 0 is the warm-up
        case $metric in
          importtime_package)
            v=$(env $(clean_env "$th") "$py" -X importtime -c "import argostranslate.package" 2>&1 \
              | "$PYTHON" -c "
import sys
tot = 0
for line in sys.stdin:
    if not line.startswith('import time:') or '|' not in line: continue
    _, cum, name = line.split('|')
    if name.rstrip() in (' argostranslate', ' argostranslate.package'):  # top-level entries
        tot += int(cum)
print(tot / 1e6)") ;;
          wall_package)
            v=$(env $(clean_env "$th") "$py" -c "import time; t=time.perf_counter(); import argostranslate.package; print(time.perf_counter()-t)") ;;
          wall_translate)
            v=$(env $(clean_env "$th") "$py" -c "import time; t=time.perf_counter(); import argostranslate.translate; print(time.perf_counter()-t)") ;;
        esac
        [[ $i -gt 0 ]] && vals+=("$v")
      done
      printf '%s\t%s\t%s\t%s\n' "$d" "$metric" "$(median "${vals[@]}")" "${vals[*]}" >>"$RES/import.tsv"
    done
    # heaviest modules pulled in by argostranslate.translate (cumulative us), for the report
    env $(clean_env "$th") "$py" -X importtime -c "import argostranslate.translate" 2>&1 \
      | "$PYTHON" -c "
import re, sys
rows = []
for line in sys.stdin:
    m = re.match(r'import time:\s+\d+ \|\s+(\d+) \| ( +)(\S+)', line)
    if m and len(m.group(2)) <= 7:  # depth <= 3
        rows.append((int(m.group(1)), m.group(3)))
for us, name in sorted(rows, reverse=True)[:12]:
    print(f'{us}\t{name}')" >"$RES/$d.import_top.txt" || true
    rm -rf "$th"
  done
}

wait_for_model() {
  local waited=0
  while [[ ! -s $MODEL ]]; do
    if (( waited >= WAIT_MODEL_SECS )); then
      log "model $MODEL did not appear within ${WAIT_MODEL_SECS}s"
      echo "model not available after ${WAIT_MODEL_SECS}s" >"$RES/translate.skipped"
      return 1
    fi
    log "waiting for $MODEL ($waited s)"
    sleep 60; waited=$((waited + 60))
  done
  # let a writer finish: size must be stable for 10 s
  local s1 s2
  while :; do s1=$(stat -c %s "$MODEL"); sleep 10; s2=$(stat -c %s "$MODEL"); [[ $s1 == "$s2" ]] && break; done
  rm -f "$RES/translate.skipped"
}

write_helpers() {
  cat >"$WORK/pkg_translate.py" <<'EOF'
"""Load an Argos package with argostranslate.package.Package and translate via ctranslate2."""
import csv, json, sys, time
from pathlib import Path
import argostranslate, argostranslate.package, ctranslate2
pkg_dir, phrasebook, out = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with open(phrasebook, encoding="utf-8", newline="") as f:
    rows = list(csv.reader(f, delimiter="\t"))
sents = [r[0] for r in rows[1:] if r and r[0].strip()][:20]
pkg = argostranslate.package.Package(pkg_dir)
tokens = [pkg.tokenizer.encode(s) for s in sents]
tr = ctranslate2.Translator(str(pkg_dir / "model"), compute_type="int8")
t = time.perf_counter()
res = tr.translate_batch(tokens, beam_size=4, length_penalty=0.2, replace_unknowns=True)
secs = time.perf_counter() - t
sp = pkg.tokenizer.lazy_processor()
outs = [sp.decode_pieces(r.hypotheses[0]) for r in res]
json.dump({"module_file": argostranslate.__file__, "ctranslate2": ctranslate2.__version__,
           "tokenizer": type(pkg.tokenizer).__name__, "target_prefix": pkg.target_prefix,
           "packaged_sbd_path": str(pkg.packaged_sbd_path), "sentences": sents,
           "tokens": tokens, "outputs": outs, "translate_s": secs},
          open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
print(f"{len(sents)} sentences in {secs:.2f}s")
EOF
  cat >"$WORK/full_translate.py" <<'EOF'
"""argostranslate.translate.translate() on 3 sentences; log network attempts."""
import csv, json, socket, sys, time, traceback, urllib.request
attempts = []
_orig = socket.create_connection
def spy(addr, *a, **k):
    attempts.append(f"{addr[0]}:{addr[1]}")
    return _orig(addr, *a, **k)
socket.create_connection = spy
_getaddrinfo = socket.getaddrinfo
def spy_gai(host, *a, **k):
    attempts.append(f"resolve {host}")
    return _getaddrinfo(host, *a, **k)
socket.getaddrinfo = spy_gai
_urlopen = urllib.request.urlopen
def spy_urlopen(url, *a, **k):
    attempts.append(f"url {getattr(url, 'full_url', url)}")
    return _urlopen(url, *a, **k)
urllib.request.urlopen = spy_urlopen
try:  # stanza/spacy download through requests
    import requests.sessions
    _req = requests.sessions.Session.request
    def spy_req(self, method, url, *a, **k):
        attempts.append(f"url {url}")
        return _req(self, method, url, *a, **k)
    requests.sessions.Session.request = spy_req
except ImportError:
    pass
phrasebook, out = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(phrasebook, encoding="utf-8", newline=""), delimiter="\t"))
sents = [r[0] for r in rows[1:] if r and r[0].strip()][:3]
rec = {"sentences": sents, "outputs": [], "error": None}
t = time.perf_counter()
try:
    import argostranslate.translate as at
    rec["installed_languages"] = [l.code for l in at.get_installed_languages()]
    for s in sents:
        rec["outputs"].append(at.translate(s, "lt", "en"))
except BaseException as e:  # noqa: BLE001 - we want to record anything
    rec["error"] = f"{type(e).__name__}: {e}"[:400]
    rec["frames"] = [f"{'/'.join(f.filename.split('/')[-2:])}:{f.lineno} {f.name}"
                     for f in traceback.extract_tb(e.__traceback__)
                     if "site-packages" in f.filename or f.filename.endswith("full_translate.py")][-5:]
rec["seconds"] = round(time.perf_counter() - t, 2)
rec["network_attempts"] = sorted(set(attempts))
json.dump(rec, open(out, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
print(json.dumps(rec, ensure_ascii=False)[:600])
EOF
}

phase_translate() {
  local d py th pkgroot pkgdir ct
  wait_for_model || return 0
  record_load translate
  printf '%s  %s\n' "$(sha256sum "$MODEL" | cut -d' ' -f1)" "${MODEL#"$REPO"/}" >"$RES/model.sha256"
  write_helpers
  for d in "${DISTS[@]}"; do
    py="$(venv_dir "$d")/bin/python"
    [[ -x $py ]] || { log "no venv for $d; run the install phase first"; exit 2; }
    pkgroot="$WORK/pkg-$d"; rm -rf "$pkgroot"; mkdir -p "$pkgroot"
    unzip -q "$MODEL" -d "$pkgroot"
    pkgdir="$(dirname "$(find "$pkgroot" -maxdepth 2 -name metadata.json | head -1)")"
    th="$(mktemp -d)"
    log "$d: Package + ctranslate2 on 20 sentences"
    env $(clean_env "$th") "$py" "$WORK/pkg_translate.py" "$pkgdir" "$PHRASEBOOK" "$RES/$d.pkg_translate.json" \
      >"$RES/$d.pkg_translate.log" 2>&1 || log "$d: pkg_translate failed (see log)"
    for ct in DEFAULT MINISBD STANZA SPACY NONE; do
      log "$d: argostranslate.translate.translate, ARGOS_CHUNK_TYPE=$ct"
      rm -rf "$th"; mkdir -p "$th"
      env $(clean_env "$th") ARGOS_PACKAGES_DIR="$pkgroot" ARGOS_COMPUTE_TYPE=int8 ARGOS_CHUNK_TYPE="$ct" \
        timeout 300 "$py" "$WORK/full_translate.py" "$PHRASEBOOK" "$RES/$d.full_$ct.json" \
        >"$RES/$d.full_$ct.log" 2>&1 || echo "exit $?" >>"$RES/$d.full_$ct.log"
      # anything it left in the temp home (downloaded models, caches)
      (cd "$th" && find . -type f -printf '%s\t%p\n' 2>/dev/null | sort -rn | head -5) >"$RES/$d.full_$ct.files" || true
    done
    rm -rf "$th"
  done
  "$PYTHON" - "$RES" <<'EOF'
import json, sys
r = sys.argv[1]
a, b = (json.load(open(f"{r}/{d}.pkg_translate.json", encoding="utf-8")) for d in ("lt", "ar"))
cmp = {"tokens_identical": a["tokens"] == b["tokens"], "outputs_identical": a["outputs"] == b["outputs"],
       "n": len(a["outputs"]), "ctranslate2": [a["ctranslate2"], b["ctranslate2"]],
       "diffs": [i for i, (x, y) in enumerate(zip(a["outputs"], b["outputs"])) if x != y]}
json.dump(cmp, open(f"{r}/compare.json", "w"), indent=1)
print(cmp)
EOF
}

phase_report() {
  "$PYTHON" - "$RES" "$OUT" "$(venv_dir lt)" "$(venv_dir ar)" <<'EOF'
import datetime, json, os, statistics, subprocess, sys
from pathlib import Path
res, out, vlt, var = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
def rd(p, default="n/a"):
    p = res / p
    return p.read_text(encoding="utf-8").strip() if p.exists() else default
def jl(p):
    p = res / p
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None
inst = {}
for line in rd("install.tsv", "").splitlines()[1:]:
    d, run, step, s, mb = line.split("\t")
    inst.setdefault((d, step), []).append((float(s), int(mb)))
imp = {}
for line in rd("import.tsv", "").splitlines()[1:]:
    d, m, med, runs = line.split("\t")
    imp[(d, m)] = (float(med), runs)
def med_s(d, step):
    v = inst.get((d, step)); return statistics.median(x[0] for x in v) if v else None
def mb(d, step):
    v = inst.get((d, step)); return v[-1][1] if v else None
cmp = jl("compare.json")
def net(d):
    parts = []
    for ct in ("DEFAULT", "MINISBD", "STANZA", "SPACY", "NONE"):
        r = jl(f"{d}.full_{ct}.json")
        if r is None:
            parts.append(f"{ct}: no result ({rd(f'{d}.full_{ct}.log')[-120:]!r})"); continue
        urls = [h[4:] for h in r["network_attempts"] if h.startswith("url ")]
        hosts = urls or [h for h in r["network_attempts"] if not h.startswith("resolve")] or r["network_attempts"]
        ok = "translated" if r["outputs"] and not r["error"] else f"error {r['error'][:90]!r}"
        parts.append(f"{ct}: {ok}; network: {', '.join(hosts) or 'none'}")
    return parts
py = subprocess.run(["python3", "--version"], capture_output=True, text=True).stdout.strip()
pipv = subprocess.run(["python3", "-m", "pip", "--version"], capture_output=True, text=True).stdout.strip()
L = [f"# argostranslate distributions: raw results", "",
     f"Generated by `bench/deps/measure_argos_dists.sh` on {datetime.date.today()} "
     f"({os.cpu_count()} cores). `python3 --version`: {py}. `pip --version`: {pipv}; in the venvs: "
     f"{rd('lt.pip_version')}.", "",
     "Install times: `pip install --no-cache-dir` into a fresh venv, median of the runs; site-packages is "
     "`du -sm` after the install. Import times: wall time (perf_counter) of the import in a fresh "
     "interpreter, 1 warm-up + median of 5, HOME/XDG dirs in a temp dir.", "",
     "| dist | version | install time s | site-packages MB | import argostranslate.package s | "
     "import argostranslate.translate s | translations identical | network behaviour (translate.translate) |",
     "|---|---|---|---|---|---|---|---|"]
ident = "n/a" if cmp is None else ("y" if cmp["outputs_identical"] else "n")
for d, name, ver in (("lt", "argos-translate-lt", "1.12.1"), ("ar", "argostranslate", "1.11.0")):
    s, m = med_s(d, "dist"), mb(d, "dist")
    pk = imp.get((d, "wall_package"), (None,))[0]; tr = imp.get((d, "wall_translate"), (None,))[0]
    r = jl(f"{d}.full_DEFAULT.json")
    nb = "n/a" if r is None else (", ".join(h for h in r["network_attempts"] if not h.startswith(("resolve", "url ")))
                                  or ", ".join(r["network_attempts"]) or "none")
    if r is not None and r["error"]:
        nb += f" -> {r['error'][:80]}"
    if d == "ar" and s is not None:
        ts, tm = med_s("ar", "torch"), mb("ar", "torch")
        L.append(f"| torch (CPU, local wheel; step 1 of ar) | 2.13.0 | {ts:.1f} | {tm} | | | | |")
        L.append(f"| {name} (after torch) | {ver} | {s:.1f} | {m - tm} more ({m} total) | {pk} | {tr} | {ident} | {nb} |")
        L.append(f"| **{name} total (torch + dist)** | {ver} | {ts + s:.1f} | {m} | | | | |")
    else:
        L.append(f"| {name} | {ver} | {s if s is None else f'{s:.1f}'} | {m} | {pk} | {tr} | {ident} | {nb} |")
L += ["", f"Bare venv (pip + setuptools only): {rd('bare_venv_mb')} MB of site-packages, included in the sizes above.",
      "", "## Raw runs", "", "CPU load (1/5/15 min) at the start of each phase; with a load above the core count, other jobs were "
      "competing for the CPU and timings are noisy:", "", "```", rd("load.tsv"), "```", "",
      "```", rd("install.tsv"), "", rd("import.tsv"), "```", ""]
for d in ("lt", "ar"):
    L += [f"### {d}: sources, biggest installed folders, heaviest imports", "",
          f"pip sources (last run): {rd(f'{d}.sources')}", "", "```", rd(f"{d}.biggest.txt"), "```", "",
          "`import argostranslate.translate` modules (depth <= 3) by cumulative import time (us):", "", "```",
          rd(f"{d}.import_top.txt"), "```", "", "Installed (pip freeze):", "", "```", rd(f"{d}.freeze.txt"), "```", ""]
L += ["### argostranslate==1.11.0 without torch preinstalled (pip --dry-run, nothing installed)", "",
      rd("ar.dryrun.summary"), ""]
if (res / "ar.cuda_abort").exists():
    L += [f"**Aborted:** {rd('ar.cuda_abort')}", ""]
L += ["## Package load + ctranslate2 translation (20 phrasebook sentences)", ""]
if cmp is None:
    L += [rd("translate.skipped", "not run"), ""]
else:
    a = jl("lt.pkg_translate.json"); b = jl("ar.pkg_translate.json")
    L += [f"- model: `{rd('model.sha256')}` (sha256)",
          f"- tokenizer `{a['tokenizer']}`, target_prefix {a['target_prefix']!r}, packaged_sbd_path {a['packaged_sbd_path']}; "
          f"ctranslate2 {cmp['ctranslate2'][0]} (lt venv) / {cmp['ctranslate2'][1]} (ar venv)",
          f"- `pkg.tokenizer.encode` token lists identical: {'y' if cmp['tokens_identical'] else 'n'}",
          f"- decoded outputs identical: {'y' if cmp['outputs_identical'] else 'n'} (differing indices: {cmp['diffs']})",
          f"- translate_batch time: lt {a['translate_s']:.2f}s, ar {b['translate_s']:.2f}s", "",
          "| # | source (lt) | output (argos-translate-lt venv) | output (argostranslate venv) |", "|---|---|---|---|"]
    for i, (s, x, y) in enumerate(zip(a["sentences"], a["outputs"], b["outputs"])):
        L.append(f"| {i} | {s} | {x} | {y if y != x else '(same)'} |")
    L.append("")
L += ["## argostranslate.translate.translate() on 3 sentences", "",
      "ARGOS_PACKAGES_DIR=<unzipped package's parent>, ARGOS_COMPUTE_TYPE=int8, fresh HOME per run, "
      "300 s timeout; network attempts logged by wrapping socket.getaddrinfo/create_connection.", ""]
for d in ("lt", "ar"):
    L += [f"**{d}**", ""] + [f"- ARGOS_CHUNK_TYPE={p}" for p in net(d)] + [""]
    for ct in ("DEFAULT", "MINISBD", "NONE"):
        r = jl(f"{d}.full_{ct}.json")
        if r and r.get("frames"):
            L += [f"  {ct} traceback (last frames): `{' -> '.join(r['frames'])}`"]
        if r and r["outputs"]:
            L += [f"  {ct} outputs: {r['outputs']}"]
        f = rd(f"{d}.full_{ct}.files", "")
        if f:
            L += [f"  {ct} files left in HOME: `{' ; '.join(f.splitlines())}`"]
    L.append("")
MARK = "<!-- notes below are hand-written and kept when the script regenerates this file -->"
kept = ""
if out.exists() and MARK in out.read_text(encoding="utf-8"):
    kept = out.read_text(encoding="utf-8").split(MARK, 1)[1]
out.write_text("\n".join(L) + "\n" + MARK + (kept or "\n"), encoding="utf-8")
print(f"wrote {out}")
EOF
}

phases=("$@"); [[ ${#phases[@]} -eq 0 ]] && phases=(all)
for p in "${phases[@]}"; do
  case $p in
    all) phase_install; phase_import; phase_translate; phase_report ;;
    install|import|translate|report) "phase_$p" ;;
    *) echo "unknown phase: $p" >&2; exit 2 ;;
  esac
done
