// allure-playwright, made safe under merge-reports: there onConfigure gets a configuration with no
// projects, and the stock reporter throws reading projects[0].outputDir (results were still written,
// but every merge printed the TypeError as an error).
import type { FullConfig } from '@playwright/test/reporter';
import { AllureReporter } from 'allure-playwright';

export default class MergeSafeAllureReporter extends AllureReporter {
  override onConfigure(config: FullConfig): void {
    if (config.projects.length) super.onConfigure(config);
    else this.config = config;
  }
}
