//! A port of CPython 3.11's `list.sort` (Objects/listobject.c: count_run, binarysort,
//! powersort merge order, merge_lo/merge_hi with galloping), so that the sequence of `<`
//! comparisons — and therefore the result with inconsistent orders (NaN) and the first
//! comparison that raises — is the same as Python's. Only `lt` is ever called, like CPython.
//! On error the slice is left in an unspecified (but complete) permutation.

const MIN_GALLOP: usize = 7;

struct Run {
    base: usize,
    len: usize,
    power: u32,
}

struct State<'a, T, F> {
    v: &'a mut [T],
    lt: F,
    min_gallop: usize,
    runs: Vec<Run>,
}

pub fn sort<T: Copy, E, F: FnMut(&T, &T) -> Result<bool, E>>(v: &mut [T], lt: F) -> Result<(), E> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    let mut st = State {
        v,
        lt,
        min_gallop: MIN_GALLOP,
        runs: Vec::new(),
    };
    let minrun = compute_minrun(n);
    let mut lo = 0;
    let mut remaining = n;
    while remaining > 0 {
        let (mut run, descending) = st.count_run(lo, lo + remaining)?;
        if descending {
            st.v[lo..lo + run].reverse();
        }
        if run < minrun {
            let force = remaining.min(minrun);
            st.binarysort(lo, lo + force, lo + run)?;
            run = force;
        }
        st.found_new_run(run, n)?;
        st.runs.push(Run {
            base: lo,
            len: run,
            power: 0,
        });
        lo += run;
        remaining -= run;
    }
    // merge_force_collapse
    while st.runs.len() > 1 {
        let mut i = st.runs.len() - 2;
        if i > 0 && st.runs[i - 1].len < st.runs[i + 1].len {
            i -= 1;
        }
        st.merge_at(i)?;
    }
    Ok(())
}

fn compute_minrun(mut n: usize) -> usize {
    let mut r = 0;
    while n >= 64 {
        r |= n & 1;
        n >>= 1;
    }
    n + r
}

fn powerloop(s1: usize, n1: usize, n2: usize, n: usize) -> u32 {
    let mut result = 0;
    let mut a = 2 * s1 + n1;
    let mut b = a + n1 + n2;
    loop {
        result += 1;
        if a >= n {
            a -= n;
            b -= n;
        } else if b >= n {
            break;
        }
        a <<= 1;
        b <<= 1;
    }
    result
}

impl<T: Copy, E, F: FnMut(&T, &T) -> Result<bool, E>> State<'_, T, F> {
    fn lt_at(&mut self, x: T, y: T) -> Result<bool, E> {
        (self.lt)(&x, &y)
    }

    fn count_run(&mut self, lo: usize, hi: usize) -> Result<(usize, bool), E> {
        let mut k = lo + 1;
        if k == hi {
            return Ok((1, false));
        }
        let mut n = 2;
        if self.lt_at(self.v[k], self.v[k - 1])? {
            k += 1;
            while k < hi {
                if self.lt_at(self.v[k], self.v[k - 1])? {
                    k += 1;
                    n += 1;
                } else {
                    break;
                }
            }
            Ok((n, true))
        } else {
            k += 1;
            while k < hi {
                if self.lt_at(self.v[k], self.v[k - 1])? {
                    break;
                }
                k += 1;
                n += 1;
            }
            Ok((n, false))
        }
    }

    fn binarysort(&mut self, lo: usize, hi: usize, mut start: usize) -> Result<(), E> {
        if lo == start {
            start += 1;
        }
        while start < hi {
            let mut l = lo;
            let mut r = start;
            let pivot = self.v[r];
            loop {
                let p = l + ((r - l) >> 1);
                if self.lt_at(pivot, self.v[p])? {
                    r = p;
                } else {
                    l = p + 1;
                }
                if l >= r {
                    break;
                }
            }
            self.v.copy_within(l..start, l + 1);
            self.v[l] = pivot;
            start += 1;
        }
        Ok(())
    }

    fn found_new_run(&mut self, n2: usize, n: usize) -> Result<(), E> {
        if let Some(last) = self.runs.last() {
            let power = powerloop(last.base, last.len, n2, n);
            while self.runs.len() > 1 && self.runs[self.runs.len() - 2].power > power {
                let i = self.runs.len() - 2;
                self.merge_at(i)?;
            }
            if let Some(last) = self.runs.last_mut() {
                last.power = power;
            }
        }
        Ok(())
    }

    /// gallop_left over `a = v[base..base+n]`.
    fn gallop_left(&mut self, key: T, base: usize, n: usize, hint: usize) -> Result<usize, E> {
        let mut lastofs = 0usize;
        let mut ofs = 1usize;
        let (mut lo, mut hi);
        if self.lt_at(self.v[base + hint], key)? {
            let maxofs = n - hint;
            while ofs < maxofs {
                if self.lt_at(self.v[base + hint + ofs], key)? {
                    lastofs = ofs;
                    ofs = (ofs << 1) + 1;
                } else {
                    break;
                }
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            lo = lastofs as isize + hint as isize;
            hi = ofs as isize + hint as isize;
        } else {
            let maxofs = hint + 1;
            while ofs < maxofs {
                if self.lt_at(self.v[base + hint - ofs], key)? {
                    break;
                }
                lastofs = ofs;
                ofs = (ofs << 1) + 1;
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            let k = lastofs;
            lo = hint as isize - ofs as isize;
            hi = hint as isize - k as isize;
        }
        lo += 1;
        while lo < hi {
            let m = lo + ((hi - lo) >> 1);
            if self.lt_at(self.v[base + m as usize], key)? {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        Ok(hi as usize)
    }

    /// gallop_right over `a = v[base..base+n]`, or over `tmp` when `tmp` is given.
    fn gallop_right_in(&mut self, key: T, a: &[T], hint: usize) -> Result<usize, E> {
        let n = a.len();
        let mut lastofs = 0usize;
        let mut ofs = 1usize;
        let (mut lo, mut hi);
        if (self.lt)(&key, &a[hint])? {
            let maxofs = hint + 1;
            while ofs < maxofs {
                if (self.lt)(&key, &a[hint - ofs])? {
                    lastofs = ofs;
                    ofs = (ofs << 1) + 1;
                } else {
                    break;
                }
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            let k = lastofs;
            lo = hint as isize - ofs as isize;
            hi = hint as isize - k as isize;
        } else {
            let maxofs = n - hint;
            while ofs < maxofs {
                if (self.lt)(&key, &a[hint + ofs])? {
                    break;
                }
                lastofs = ofs;
                ofs = (ofs << 1) + 1;
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            lo = lastofs as isize + hint as isize;
            hi = ofs as isize + hint as isize;
        }
        lo += 1;
        while lo < hi {
            let m = lo + ((hi - lo) >> 1);
            if (self.lt)(&key, &a[m as usize])? {
                hi = m;
            } else {
                lo = m + 1;
            }
        }
        Ok(hi as usize)
    }

    /// gallop_left over an arbitrary slice.
    fn gallop_left_in(&mut self, key: T, a: &[T], hint: usize) -> Result<usize, E> {
        let n = a.len();
        let mut lastofs = 0usize;
        let mut ofs = 1usize;
        let (mut lo, mut hi);
        if (self.lt)(&a[hint], &key)? {
            let maxofs = n - hint;
            while ofs < maxofs {
                if (self.lt)(&a[hint + ofs], &key)? {
                    lastofs = ofs;
                    ofs = (ofs << 1) + 1;
                } else {
                    break;
                }
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            lo = lastofs as isize + hint as isize;
            hi = ofs as isize + hint as isize;
        } else {
            let maxofs = hint + 1;
            while ofs < maxofs {
                if (self.lt)(&a[hint - ofs], &key)? {
                    break;
                }
                lastofs = ofs;
                ofs = (ofs << 1) + 1;
            }
            if ofs > maxofs {
                ofs = maxofs;
            }
            let k = lastofs;
            lo = hint as isize - ofs as isize;
            hi = hint as isize - k as isize;
        }
        lo += 1;
        while lo < hi {
            let m = lo + ((hi - lo) >> 1);
            if (self.lt)(&a[m as usize], &key)? {
                lo = m + 1;
            } else {
                hi = m;
            }
        }
        Ok(hi as usize)
    }

    fn merge_at(&mut self, i: usize) -> Result<(), E> {
        let base_a = self.runs[i].base;
        let mut na = self.runs[i].len;
        let base_b = self.runs[i + 1].base;
        let mut nb = self.runs[i + 1].len;
        self.runs[i].len = na + nb;
        self.runs.remove(i + 1);
        // Where does b start in a?
        let a: Vec<T> = self.v[base_a..base_a + na].to_vec();
        let k = self.gallop_right_in(self.v[base_b], &a, 0)?;
        let base_a = base_a + k;
        na -= k;
        if na == 0 {
            return Ok(());
        }
        // Where does a end in b?
        let b: Vec<T> = self.v[base_b..base_b + nb].to_vec();
        nb = self.gallop_left_in(self.v[base_a + na - 1], &b, nb - 1)?;
        if nb == 0 {
            return Ok(());
        }
        if na <= nb {
            self.merge_lo(base_a, na, base_b, nb)
        } else {
            self.merge_hi(base_a, na, base_b, nb)
        }
    }

    fn merge_lo(
        &mut self,
        base_a: usize,
        mut na: usize,
        base_b: usize,
        mut nb: usize,
    ) -> Result<(), E> {
        let tmp: Vec<T> = self.v[base_a..base_a + na].to_vec();
        let mut pa = 0usize; // into tmp
        let mut pb = base_b; // into v
        let mut dest = base_a;
        self.v[dest] = self.v[pb];
        dest += 1;
        pb += 1;
        nb -= 1;
        let result: Result<(), E> = 'outer: {
            if nb == 0 {
                break 'outer Ok(());
            }
            if na == 1 {
                // CopyB
                self.v.copy_within(pb..pb + nb, dest);
                self.v[dest + nb] = tmp[pa];
                return Ok(());
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let mut acount = 0usize;
                let mut bcount = 0usize;
                loop {
                    let k = match (self.lt)(&self.v[pb], &tmp[pa]) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    if k {
                        self.v[dest] = self.v[pb];
                        dest += 1;
                        pb += 1;
                        bcount += 1;
                        acount = 0;
                        nb -= 1;
                        if nb == 0 {
                            break 'outer Ok(());
                        }
                        if bcount >= min_gallop {
                            break;
                        }
                    } else {
                        self.v[dest] = tmp[pa];
                        dest += 1;
                        pa += 1;
                        acount += 1;
                        bcount = 0;
                        na -= 1;
                        if na == 1 {
                            self.v.copy_within(pb..pb + nb, dest);
                            self.v[dest + nb] = tmp[pa];
                            return Ok(());
                        }
                        if acount >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= (min_gallop > 1) as usize;
                    self.min_gallop = min_gallop;
                    let key = self.v[pb];
                    let k = match self.gallop_right_in(key, &tmp[pa..pa + na], 0) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    acount = k;
                    if k > 0 {
                        self.v[dest..dest + k].copy_from_slice(&tmp[pa..pa + k]);
                        dest += k;
                        pa += k;
                        na -= k;
                        if na == 1 {
                            self.v.copy_within(pb..pb + nb, dest);
                            self.v[dest + nb] = tmp[pa];
                            return Ok(());
                        }
                        if na == 0 {
                            break 'outer Ok(());
                        }
                    }
                    self.v[dest] = self.v[pb];
                    dest += 1;
                    pb += 1;
                    nb -= 1;
                    if nb == 0 {
                        break 'outer Ok(());
                    }
                    let key = tmp[pa];
                    let k = match self.gallop_left(key, pb, nb, 0) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    bcount = k;
                    if k > 0 {
                        self.v.copy_within(pb..pb + k, dest);
                        dest += k;
                        pb += k;
                        nb -= k;
                        if nb == 0 {
                            break 'outer Ok(());
                        }
                    }
                    self.v[dest] = tmp[pa];
                    dest += 1;
                    pa += 1;
                    na -= 1;
                    if na == 1 {
                        self.v.copy_within(pb..pb + nb, dest);
                        self.v[dest + nb] = tmp[pa];
                        return Ok(());
                    }
                    if !(acount >= MIN_GALLOP || bcount >= MIN_GALLOP) {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        if na > 0 {
            self.v[dest..dest + na].copy_from_slice(&tmp[pa..pa + na]);
        }
        result
    }

    fn merge_hi(
        &mut self,
        base_a: usize,
        mut na: usize,
        base_b: usize,
        mut nb: usize,
    ) -> Result<(), E> {
        let tmp: Vec<T> = self.v[base_b..base_b + nb].to_vec();
        // Indices are "one past" positions to avoid underflow: pa/pb/dest point after the
        // current element.
        let mut dest = base_b + nb; // one past
        let mut pa = base_a + na; // one past current a (in v)
        let mut pb = nb; // one past current b (in tmp)
        dest -= 1;
        pa -= 1;
        self.v[dest] = self.v[pa];
        na -= 1;
        let result: Result<(), E> = 'outer: {
            if na == 0 {
                break 'outer Ok(());
            }
            if nb == 1 {
                // CopyA
                self.v.copy_within(pa - na..pa, dest - na);
                self.v[dest - na - 1] = tmp[pb - 1];
                return Ok(());
            }
            let mut min_gallop = self.min_gallop;
            loop {
                let mut acount = 0usize;
                let mut bcount = 0usize;
                loop {
                    let k = match (self.lt)(&tmp[pb - 1], &self.v[pa - 1]) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    if k {
                        dest -= 1;
                        pa -= 1;
                        self.v[dest] = self.v[pa];
                        acount += 1;
                        bcount = 0;
                        na -= 1;
                        if na == 0 {
                            break 'outer Ok(());
                        }
                        if acount >= min_gallop {
                            break;
                        }
                    } else {
                        dest -= 1;
                        pb -= 1;
                        self.v[dest] = tmp[pb];
                        bcount += 1;
                        acount = 0;
                        nb -= 1;
                        if nb == 1 {
                            self.v.copy_within(pa - na..pa, dest - na);
                            self.v[dest - na - 1] = tmp[pb - 1];
                            return Ok(());
                        }
                        if bcount >= min_gallop {
                            break;
                        }
                    }
                }
                min_gallop += 1;
                loop {
                    min_gallop -= (min_gallop > 1) as usize;
                    self.min_gallop = min_gallop;
                    let key = tmp[pb - 1];
                    let a: Vec<T> = self.v[base_a..base_a + na].to_vec();
                    let k = match self.gallop_right_in(key, &a, na - 1) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    let k = na - k;
                    acount = k;
                    if k > 0 {
                        dest -= k;
                        pa -= k;
                        self.v.copy_within(pa..pa + k, dest);
                        na -= k;
                        if na == 0 {
                            break 'outer Ok(());
                        }
                    }
                    dest -= 1;
                    pb -= 1;
                    self.v[dest] = tmp[pb];
                    nb -= 1;
                    if nb == 1 {
                        self.v.copy_within(pa - na..pa, dest - na);
                        self.v[dest - na - 1] = tmp[pb - 1];
                        return Ok(());
                    }
                    let key = self.v[pa - 1];
                    let k = match self.gallop_left_in(key, &tmp[..nb], nb - 1) {
                        Ok(k) => k,
                        Err(e) => break 'outer Err(e),
                    };
                    let k = nb - k;
                    bcount = k;
                    if k > 0 {
                        dest -= k;
                        pb -= k;
                        self.v[dest..dest + k].copy_from_slice(&tmp[pb..pb + k]);
                        nb -= k;
                        if nb == 1 {
                            self.v.copy_within(pa - na..pa, dest - na);
                            self.v[dest - na - 1] = tmp[pb - 1];
                            return Ok(());
                        }
                        if nb == 0 {
                            break 'outer Ok(());
                        }
                    }
                    dest -= 1;
                    pa -= 1;
                    self.v[dest] = self.v[pa];
                    na -= 1;
                    if na == 0 {
                        break 'outer Ok(());
                    }
                    if !(acount >= MIN_GALLOP || bcount >= MIN_GALLOP) {
                        break;
                    }
                }
                min_gallop += 1;
                self.min_gallop = min_gallop;
            }
        };
        if nb > 0 {
            self.v[dest - nb..dest].copy_from_slice(&tmp[..nb]);
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xorshift(s: &mut u64) -> u64 {
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        *s
    }

    #[test]
    fn sorts_and_is_stable() {
        let mut seed = 88172645463325252u64;
        for n in [0usize, 1, 2, 5, 63, 64, 65, 200, 1000, 3000] {
            for range in [3u64, 50, 100000] {
                let mut v: Vec<(u64, usize)> =
                    (0..n).map(|i| (xorshift(&mut seed) % range, i)).collect();
                // Some pre-sorted stretches to exercise galloping.
                if n > 100 {
                    v[10..80].sort();
                }
                let mut expect = v.clone();
                expect.sort_by_key(|x| x.0);
                sort::<_, (), _>(&mut v, |a, b| Ok(a.0 < b.0)).unwrap();
                assert_eq!(v, expect, "n={n} range={range}");
            }
        }
    }
}
