/**
 * The page's whole stylesheet, inline: no fonts, images or scripts from elsewhere, so the report
 * opens offline from a folder, an e-mail attachment or a bucket. One column that fits a 360 px
 * phone (nothing wider than the viewport: long names wrap, the segment table scrolls inside its
 * own box) and widens to a comfortable reading width on a laptop.
 */
export const REPORT_CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d232b;background:#f5f6f8}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.2rem 0;overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
.eyebrow{color:#5b6470;font-size:.85rem;margin:0}
.meta{color:#5b6470;margin:.2rem 0 1rem;overflow-wrap:anywhere}
.warn{color:#9a1b1b;background:#fdecec;border-radius:6px;padding:.5rem .7rem;font-weight:600;overflow-wrap:anywhere}
.player{background:#111;border-radius:8px;padding:.5rem;position:sticky;top:0;z-index:2}
.player video{display:block;width:100%;max-height:50vh;background:#000;border-radius:4px}
.player p{color:#d8dde3;margin:.4rem .2rem 0;font-size:.9rem;overflow-wrap:anywhere}
.player input{max-width:100%;color:#d8dde3}
.person{background:#fff;border-radius:8px;padding:.8rem;margin:.8rem 0;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.who{display:flex;align-items:center;gap:.8rem;min-width:0}
.who h3{margin:0;font-size:1.05rem;overflow-wrap:anywhere}
.who p{margin:0;color:#5b6470;font-size:.9rem}
.ref{width:56px;height:56px;flex:none;border-radius:50%;object-fit:cover;background:#dfe3e8;display:flex;align-items:center;justify-content:center;font-weight:700;color:#5b6470}
.bar{position:relative;height:1.6rem;background:#e7eaee;border-radius:4px;margin:.7rem 0 .2rem;overflow:hidden}
.bar .seg{position:absolute;top:0;bottom:0;min-width:4px;padding:0;border:0;background:#2a6fdb;cursor:pointer}
.bar .seg:hover,.bar .seg:focus-visible,.bar .seg.active{background:#f0a020;outline:none}
.bar .gap{position:absolute;top:0;bottom:0;background:repeating-linear-gradient(45deg,#f3a3a3,#f3a3a3 4px,#fff 4px,#fff 8px)}
.axis{display:flex;justify-content:space-between;color:#5b6470;font-size:.8rem}
.segments{overflow-x:auto;margin-top:.6rem}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.3rem .4rem;border-bottom:1px solid #e7eaee;text-align:left;white-space:nowrap;vertical-align:middle}
th{color:#5b6470;font-weight:600}
td.num{font-variant-numeric:tabular-nums}
td img{height:48px;width:auto;border-radius:3px;display:block}
button.play{font:inherit;border:1px solid #c5ccd4;background:#fff;border-radius:4px;padding:.15rem .5rem;cursor:pointer}
button.play:hover,button.play.active{background:#2a6fdb;border-color:#2a6fdb;color:#fff}
.legend{color:#5b6470;font-size:.85rem}
ul.photos{padding-left:1.2rem;overflow-wrap:anywhere}
@media (max-width:600px){main{padding:.6rem}h1{font-size:1.25rem}.person{padding:.5rem}table{font-size:.82rem}th,td{padding:.2rem .25rem}button.play{padding:.1rem .3rem}td img{height:36px}.hide-narrow{display:none}}
`;
