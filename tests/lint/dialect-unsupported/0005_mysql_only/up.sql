CREATE TABLE `things` (id int) ENGINE=InnoDB;
