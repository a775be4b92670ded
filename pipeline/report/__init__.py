"""The report: one self-contained HTML file drawn from the marts (`page.render`, told about the run by `run.RunInfo`)."""
