"""The Compare screen and everything only it uses: the form, the list of experiments, the results
(chart, table, samples) and the grid's background jobs and messages. Started and stopped by the run
service (``ui/runs.py``)."""
