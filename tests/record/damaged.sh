#!/usr/bin/env bash
# Damaged recordings through the command line. Each must end with exit 0,
# what could be read and a warning, or exit 1 and one line saying why:
# never a crash (signal), a hang (timeout), or silence.
#   damaged.sh TRACER SAMPLE WORKDIR RECORD_CRAFTED
set -euo pipefail
. "$(dirname "$0")/../e2e/lib.sh"

tracer=$1 sample=$2 work=$3 crafted=$4
need_tracer "$tracer"
[ -x "$crafted" ] || fail "no record_crafted at $crafted: build it first"
[ -s "$sample" ] || fail "no $sample"
rm -rf "$work"
mkdir -p "$work"
cd "$work"

size=$(stat -c %s "$sample")
total=$("$tracer" --replay "$sample" --headless --jsonl - 2>/dev/null | wc -l)
[ "$total" -gt 0 ] || fail "the sample itself does not replay"

# flip FILE OFFSET: invert one byte.
flip() {
	local b
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "$(printf '\\%03o' $((b ^ 0xff)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

cases=()
add() { cases+=("$1"); }

: >empty.zst && add empty.zst
echo "not a recording" >text.zst && add text.zst
echo "some other tool's data" | zstd -q -c >foreign.zst && add foreign.zst
head -c 4096 /dev/zero >zeros.zst && add zeros.zst
head -c 65536 /dev/urandom >random.zst && add random.zst
cp "$sample" zeroed-header.zst && dd if=/dev/zero of=zeroed-header.zst bs=1 count=64 conv=notrunc status=none && add zeroed-header.zst
for pct in 1 10 50 90 99; do
	head -c $((size * pct / 100)) "$sample" >cut-$pct.zst && add cut-$pct.zst
done
head -c $((size - 1)) "$sample" >cut-last-byte.zst && add cut-last-byte.zst
head -c 3 "$sample" >cut-3-bytes.zst && add cut-3-bytes.zst
for pct in 0 5 25 50 75 95; do
	cp "$sample" flip-$pct.zst && flip flip-$pct.zst $((size * pct / 100 + 7)) && add flip-$pct.zst
done
cp "$sample" flip-footer.zst && flip flip-footer.zst $((size - 3)) && add flip-footer.zst
cp "$sample" appended.zst && head -c 1000 /dev/urandom >>appended.zst && add appended.zst
cat "$sample" "$sample" >twice.zst && add twice.zst
# A frame that decodes to fewer events than its description (and the seek
# index) count: the only sign of the loss is that count.
lost=$("$crafted" miscount "$sample" miscount.zst) && add miscount.zst
mkfifo a-fifo.zst && add a-fifo.zst
mkdir -p a-directory.zst && add a-directory.zst
add does-not-exist.zst

failures=0
for f in "${cases[@]}"; do
	for mode in jsonl perfetto; do
		if [ $mode = jsonl ]; then
			set +e
			timeout 60 "$tracer" --replay "$f" --headless --jsonl out.jsonl 2>err.txt >/dev/null
			rc=$?
			set -e
		else
			set +e
			timeout 60 "$tracer" --replay "$f" --export perfetto --force -o out.json 2>err.txt
			rc=$?
			set -e
		fi
		lines=$(wc -l <err.txt)
		got=0
		[ $mode = jsonl ] && [ -f out.jsonl ] && got=$(wc -l <out.jsonl)
		case $rc in
		0)
			if ! grep -q "^xgotop-tui: warning: " err.txt; then
				echo "FAIL: $f ($mode): exit 0 without a warning"
				failures=$((failures + 1))
			fi
			if [ $mode = jsonl ] && grep -v -q '^{"event":"' out.jsonl; then
				echo "FAIL: $f: a line of output is not an event"
				failures=$((failures + 1))
			fi
			;;
		1)
			if [ "$lines" -ne 1 ] || ! grep -q "^xgotop-tui: " err.txt; then
				echo "FAIL: $f ($mode): exit 1 without exactly one line of explanation"
				failures=$((failures + 1))
			fi
			got=0
			;;
		124)
			echo "FAIL: $f ($mode): hung (killed after 60 s)"
			failures=$((failures + 1))
			;;
		*)
			echo "FAIL: $f ($mode): exit status $rc"
			failures=$((failures + 1))
			;;
		esac
		if [ "$f" = miscount.zst ] && ! grep -q "$lost events are missing" err.txt; then
			echo "FAIL: $f ($mode): the $lost events its frame lacks are not reported"
			failures=$((failures + 1))
		fi
		printf '%-22s %-8s exit %d, %6s of %s events: %s\n' "$f" $mode $rc "$got" "$total" \
			"$(grep -v '^xgotop-tui: replaying' err.txt | head -1 | cut -c1-110)"
		rm -f out.jsonl out.json
	done
done
[ $failures -eq 0 ] || fail "$failures damaged-file cases misbehaved"
echo PASS
