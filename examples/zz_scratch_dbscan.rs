use personas::sample::Blobs;
use personas::segment::{adjusted_rand_index, suggest_eps};
use personas::Dbscan;
use std::time::Instant;
fn main() {
    for (n, d, eps_list, mp) in [(300_000, 6, vec![1.2], 12)] {
        let b = Blobs::new(n, d, 6).with_seed(7).with_noise(0.05).generate();
        let t = Instant::now();
        let s = suggest_eps(b.features.view(), mp).unwrap();
        println!("{n}x{d}: suggest_eps {s:.3} in {:?}", t.elapsed());
        for eps in eps_list.into_iter().chain([s]) {
            let t = Instant::now();
            let m = Dbscan::new(eps, mp).fit(b.features.view()).unwrap();
            let el = t.elapsed();
            let (a, c): (Vec<_>, Vec<_>) = m.labels().iter().zip(&b.labels).filter(|(a, c)| a.is_some() && c.is_some()).map(|(a, c)| (*a, *c)).unzip();
            let ari_all = adjusted_rand_index(m.labels(), &b.labels).unwrap();
            println!("  eps {eps:.3}: {:?} segs {} noise {} core {} ari(both assigned) {:.4} ari(all) {:.4}", el, m.n_segments(), m.segmentation().unassigned(), m.n_core(), adjusted_rand_index(&a, &c).unwrap(), ari_all);
        }
    }
}
