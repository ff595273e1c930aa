# Data sets of the benchmark model suite (`multilevel-bench --suite`, issue 21) that
# ../shared/data does not hold, written from the R packages that ship them as models/suite/*.csv.
# Run from the repository root: Rscript scripts/references/suite_data.R
suppressMessages({library(lme4); library(nlme)})
out <- "models/suite"
w <- function(d, name) write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE)
w(data.frame(Yield = lme4::Dyestuff2$Yield, Batch = as.character(lme4::Dyestuff2$Batch)), "Dyestuff2")
w(data.frame(strength = Pastes$strength, batch = as.character(Pastes$batch), cask = as.character(Pastes$cask)), "Pastes")
w(data.frame(diameter = Penicillin$diameter, plate = as.character(Penicillin$plate),
             sample = as.character(Penicillin$sample)), "Penicillin")
w(data.frame(distance = nlme::Orthodont$distance, age = nlme::Orthodont$age,
             Subject = as.character(nlme::Orthodont$Subject), Sex = as.character(nlme::Orthodont$Sex)), "Orthodont")
w(data.frame(score = nlme::Machines$score, Worker = as.character(nlme::Machines$Worker),
             Machine = as.character(nlme::Machines$Machine)), "Machines")
w(data.frame(yield = nlme::Oats$yield, nitro = nlme::Oats$nitro, Block = as.character(nlme::Oats$Block),
             Variety = as.character(nlme::Oats$Variety)), "Oats")
w(data.frame(effort = nlme::ergoStool$effort, Type = as.character(nlme::ergoStool$Type),
             Subject = as.character(nlme::ergoStool$Subject)), "ergoStool")
w(data.frame(travel = nlme::Rail$travel, Rail = as.character(nlme::Rail$Rail)), "Rail")
w(data.frame(pixel = nlme::Pixel$pixel, day = nlme::Pixel$day, Dog = as.character(nlme::Pixel$Dog),
             Side = as.character(nlme::Pixel$Side)), "Pixel")
