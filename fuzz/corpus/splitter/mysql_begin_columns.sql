^CREATE TABLE evt (end INT, event INT, begin INT);
INSERT INTO evt (begin, event) VALUES (1, 2);
CREATE DEFINER=`root`@`%` PROCEDURE p(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  lbl: LOOP SET i = i + 1; IF i > n THEN LEAVE lbl; END IF; END LOOP lbl;
  inner_blk: BEGIN SELECT begin, end, CASE WHEN i THEN 1 END FROM evt; END inner_blk;
END;
CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO UPDATE evt SET begin = 1;
BEGIN;
SELECT 1;
