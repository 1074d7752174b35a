^# hash comment; here
INSERT INTO `t;x` VALUES ('a\'b;c', "d\"e;f"); -- comment
--not a comment in mysql; SELECT 1;
/*!40101 SET NAMES utf8 */;
