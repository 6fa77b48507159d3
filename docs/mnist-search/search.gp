# docs/mnist-search/search.gp: validation loss (mean loss over 100 steps, 8
# held-out problems) against meta-training epoch for the four MNIST search
# settings; run from docs/mnist-search:  gnuplot search.gp
set terminal pngcairo size 900,520 font ",10"
set output "../figures/mnist-search.png"
set datafile separator ","
set title "MNIST meta-training search: validation loss (mean over 100 steps, 8 held-out problems)"
set xlabel "meta-training epoch (one 100-step trajectory)"
set ylabel "validation loss"
set logscale y
set ytics (0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.5, 2, 2.3, 3)
set termoption noenhanced
set yrange [0.35:3]
set key top right
set grid ytics lc rgb "#dddddd"
plot "meta_ref.csv" every ::1 using 1:($3 == $3 ? $3 : 1/0) with linespoints pt 7 ps 0.4 lw 1.5 title "reference code: logsign-ref p=5, scale 0.01, meta_lr 1e-3, clip 10", \
     "meta_paper1e3.csv" every ::1 using 1:($3 == $3 ? $3 : 1/0) with linespoints pt 7 ps 0.4 lw 1.5 title "paper: logsign p=10, scale 0.1, meta_lr 1e-3, clip 10", \
     "meta_lr3e3clip1.csv" every ::1 using 1:($3 == $3 ? $3 : 1/0) with linespoints pt 7 ps 0.4 lw 1.5 title "paper preprocessing, meta_lr 3e-3, clip 1 (shipped lstm)", \
     "meta_gac3e3clip1.csv" every ::1 using 1:($3 == $3 ? $3 : 1/0) with linespoints pt 7 ps 0.4 lw 1.5 title "lstm-gac, same keys (shipped lstm-gac)"
