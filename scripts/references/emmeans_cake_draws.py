"""Copies the b_ columns of a cake fit directory's chains (chains in order) to
Tests/MultilevelModelsTests/Fixtures/emmeans_cake_draws.csv, the draws emmeans_bayesian_cake.R reads.
Usage: multilevel fit models/cake.model --chains 2 --iter 1000 --seed 17 --output DIR
       python3 scripts/references/emmeans_cake_draws.py DIR"""
import csv, glob, sys

rows, names = [], None
for path in sorted(glob.glob(sys.argv[1] + "/chain-*.csv")):
    records = list(csv.reader(line for line in open(path) if not line.startswith("#")))
    columns = [i for i, name in enumerate(records[0]) if name.startswith("b_")]
    names = [records[0][i] for i in columns]
    rows += [[record[i] for i in columns] for record in records[1:] if record]
with open("Tests/MultilevelModelsTests/Fixtures/emmeans_cake_draws.csv", "w") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    writer.writerows(rows)
