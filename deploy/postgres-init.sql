-- One database per service: no service reads another's tables.
CREATE DATABASE registry;
CREATE DATABASE competitions;
CREATE DATABASE certification;
CREATE DATABASE dashboard;
CREATE DATABASE workbench;
