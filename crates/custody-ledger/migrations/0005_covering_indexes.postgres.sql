-- PostgreSQL: nothing. A B-tree entry there is limited to about 2.7 KB,
-- and a run's command and an artifact's name are unbounded text: a covering
-- index over them would refuse valid documents. Impact reads use the
-- indexes of 0001. The version is recorded so both backends stay in step.
SELECT 1;
